/* reviewcmd.h - `schemagate review`: the webhook's decision, offline, over files, directories
 * and streams of Kubernetes objects, for CI and audits. */
#ifndef SCHEMAGATE_REVIEWCMD_H
#define SCHEMAGATE_REVIEWCMD_H

/* Exit codes, the worst that applies: unusable input, then an unreachable database, then a
 * denial (or a warning with --fail-on warning). */
enum review_exit {
    REVIEW_EXIT_ALLOWED = 0,
    REVIEW_EXIT_DENIED = 1,
    REVIEW_EXIT_UNUSABLE = 2,
    REVIEW_EXIT_UNREACHABLE = 3,
};

/* argv[0] is "review". Returns the exit code. */
int review_command(int argc, char **argv);

#endif
