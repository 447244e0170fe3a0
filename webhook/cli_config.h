/* cli_config.h - the `schemagate config` command (`config check FILE...`, README "Configure"). */
#ifndef SCHEMAGATE_CLI_CONFIG_H
#define SCHEMAGATE_CLI_CONFIG_H

/* argv[0] is "config". Returns the exit status: 0 all files good, 1 errors, 2 usage. */
int cli_config(int argc, char **argv);

#endif
