// staff.js - the staff console: for now, only the frame (see staff.html).
import { signedIn } from '/assets/layout.js';

await signedIn();
