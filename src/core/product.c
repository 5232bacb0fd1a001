/*
 * product.c - lookups in the product list (see product.h).
 */
#include "core/product.h"

#include <string.h>

#include "store/model.h"

const struct product *product_find(const char *name)
{
    if (name == NULL)
        name = TENANT_PRODUCT_DEFAULT;
    for (size_t i = 0; i < n_products; i++) {
        if (strcmp(products[i]->name, name) == 0)
            return products[i];
    }
    return NULL;
}

const struct permission_info *product_permission(const struct product *pr, const char *name)
{
    for (size_t i = 0; i < pr->n_permissions; i++) {
        if (strcmp(pr->permissions[i].name, name) == 0)
            return &pr->permissions[i];
    }
    return NULL;
}

void product_names(char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return;
    for (size_t i = 0; i < n_products; i++) {
        size_t n = strlen(products[i]->name);
        if (used + n + 3 > size)
            break;
        if (i > 0) {
            memcpy(buf + used, ", ", 2);
            used += 2;
        }
        memcpy(buf + used, products[i]->name, n);
        used += n;
    }
    buf[used] = '\0';
}
