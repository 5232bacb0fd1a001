// team.js - the team page: for now, only the frame (see team.html).
import { signedIn } from '/assets/layout.js';

await signedIn();
