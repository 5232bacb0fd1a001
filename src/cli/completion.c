/*
 * completion.c - `latchkey completion bash`: a bash completion script.
 *
 * The commands come from main.c's table; a command's subcommands and
 * options come from its --help text, asked of the binary being completed
 * when TAB is pressed. So the completion, `latchkey --help` and the man
 * page (made from the same --help texts) cannot disagree. --help needs no
 * database and no configuration.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
    "usage: latchkey completion bash\n\n"
    "Prints a bash completion script. Load it in the current shell with\n"
    "  source <(latchkey completion bash)\n"
    "or install it as /usr/share/bash-completion/completions/latchkey (make install does).\n";

/* The script around the command list. In a subcommand position it offers
 * the third word of the usage lines ("latchkey user create ..."); after a
 * dash, every --option the help text names. */
static const char head[] = "# bash completion for latchkey (`latchkey completion bash`)\n"
                           "_latchkey() {\n"
                           "    local cur=${COMP_WORDS[COMP_CWORD]} bin=${COMP_WORDS[0]}\n"
                           "    local cmd=${COMP_WORDS[1]} words\n"
                           "    bin=${bin/#\\~/$HOME}\n"
                           "    COMPREPLY=()\n"
                           "    if [[ $COMP_CWORD -eq 1 ]]; then\n"
                           "        words='";
static const char tail[] =
    " --help --version'\n"
    "    elif [[ $cur == -* ]]; then\n"
    "        words=$({ \"$bin\" \"$cmd\" --help 2>/dev/null; echo --json --help; } |\n"
    "            grep -o -- '--[a-z][a-z-]*' | sort -u)\n"
    "    elif [[ $COMP_CWORD -eq 2 ]]; then\n"
    "        words=$(\"$bin\" \"$cmd\" --help 2>/dev/null |\n"
    "            sed -nE 's/^(usage:)?[[:space:]]*latchkey [a-z-]+ ([a-z][a-z-]*).*/\\2/p' |"
    " sort -u)\n"
    "    else\n"
    "        return 0\n"
    "    fi\n"
    "    local IFS=$'\\n'\n"
    "    COMPREPLY=($(compgen -W \"${words//[[:space:]]/$'\\n'}\" -- \"$cur\"))\n"
    "}\n"
    "complete -o default -F _latchkey latchkey\n";

int cli_completion(int argc, char **argv, const struct cli_command *cmds, size_t n)
{
    if (argc == 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (argc != 1 || strcmp(argv[0], "bash") != 0) {
        fputs(usage, stderr);
        return cli_error(CLI_USAGE, "completion: only bash is supported");
    }
    fputs(head, stdout);
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i > 0 ? " " : "", cmds[i].name);
    fputs(tail, stdout);
    return CLI_OK;
}
