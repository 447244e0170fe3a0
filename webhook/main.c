/* main.c - the `schemagate` command: `serve` (the webhook), `review` (the same decision
 * offline, for CI; webhook/cli/reviewcmd.c) and `config check` (webhook/cli_config.c). The
 * front ends are thin: every decision is decision.c's. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "cli/reviewcmd.h"
#include "cli_config.h"
#include "config.h"
#include "decision.h"
#include "log.h"
#include "metrics.h"
#include "schema/history.h"
#include "server.h"
#include "strbuf.h"
#include "verdict.h"

static void usage(FILE *out)
{
    fputs("usage:\n"
          "  schemagate serve [--config FILE] --tls-cert-file FILE --tls-private-key-file FILE\n"
          "                   [--listen ADDR:PORT] [--metrics-listen ADDR:PORT] [--threads N]\n"
          "                   [--max-connections N] [--max-connections-per-ip N] [--idle-timeout S]\n"
          "                   [--request-timeout S] [--drain-timeout S]\n"
          "  schemagate review [--config FILE] [--check all|secrets|schema] [-n NS] [-o FORMAT]\n"
          "                    [--fail-on denial|warning] [-q] [FILE|DIR|-]...\n"
          "  schemagate config check [--quiet] FILE...\n"
          "  schemagate version\n"
          "\n"
          "serve   HTTPS admission webhook: POST /validate, /validate/secrets, /validate/schema;\n"
          "        plain HTTP /healthz, /readyz, /metrics on --metrics-listen (default 0.0.0.0:9090).\n"
          "review  decide Kubernetes objects offline, as the webhook would: files, directories and\n"
          "        stdin, YAML or JSON streams; text, json, sarif, junit or policyreport output.\n"
          "        Exit 0 allowed, 1 denied, 2 unusable input, 3 a database unreachable.\n"
          "        schemagate review --help lists every flag.\n"
          "config check  validate config files as serve loads them; every error as FILE:LINE.\n"
          "        Exit 0 all good, 1 errors.\n",
          out);
}

static int load_config(const char *path, struct config *cfg)
{
    struct sg_error err = {{0}};
    int rc = path ? config_load(path, cfg, &err) : config_defaults(cfg, &err);
    if (rc != 0)
        fprintf(stderr, "schemagate: %s\n", err.message);
    return rc;
}

/* ---------------------------------------------------------------- serve --------------- */

static int parse_unsigned(const char *flag, const char *text, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || *end || v < min || v > max) {
        fprintf(stderr, "schemagate serve: %s must be a number from %u to %u (got \"%s\")\n", flag, min, max, text);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

static void serve_usage(FILE *out)
{
    struct server_options d;
    server_default_options(&d);
    fprintf(out,
            "usage: schemagate serve [flags]\n"
            "\n"
            "Serves the admission webhook over HTTPS: POST /validate (every check), /validate/secrets,\n"
            "/validate/schema; plain HTTP /healthz, /readyz and /metrics on --metrics-listen.\n"
            "\n"
            "flags:\n"
            "  --config FILE                the config file (default: none, the built-in defaults)\n"
            "  --tls-cert-file FILE         serving certificate, PEM (required)\n"
            "  --tls-private-key-file FILE  its private key, PEM (required)\n"
            "  --listen ADDR:PORT           HTTPS address (default: %s)\n"
            "  --metrics-listen ADDR:PORT   health and metrics address (default: %s)\n"
            "  --threads N                  worker threads, 1-64 (default: %u)\n"
            "  --max-connections N          open connections, 1-65536 (default: %u)\n"
            "  --max-connections-per-ip N   open connections from one address, 0 = no limit (default: %u)\n"
            "  --idle-timeout S             seconds before an idle connection closes, 1-600 (default: %u)\n"
            "  --request-timeout S          seconds a handshake or one request may take, 1-600 (default: %u)\n"
            "  --drain-timeout S            seconds to finish requests on SIGTERM, 0-600 (default: %u)\n"
            "  -h, --help                   this help\n",
            d.listen, d.metrics_listen, d.threads, d.max_connections, d.max_connections_per_ip,
            d.connection_timeout_s, d.request_timeout_s, d.drain_timeout_s);
}

static int cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"tls-cert-file", required_argument, NULL, 'C'},
        {"tls-private-key-file", required_argument, NULL, 'K'},
        {"listen", required_argument, NULL, 'l'},
        {"metrics-listen", required_argument, NULL, 'm'},
        {"threads", required_argument, NULL, 't'},
        {"max-connections", required_argument, NULL, 'M'},
        {"drain-timeout", required_argument, NULL, 'd'},
        {"idle-timeout", required_argument, NULL, 'i'},
        {"request-timeout", required_argument, NULL, 'r'},
        {"max-connections-per-ip", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    log_buffer_output();   /* before anything is written to stderr; see log.h */
    struct server_options opt;
    server_default_options(&opt);
    const char *config_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config_path = optarg; break;
        case 'C': opt.cert_file = optarg; break;
        case 'K': opt.key_file = optarg; break;
        case 'l': opt.listen = optarg; break;
        case 'm': opt.metrics_listen = optarg; break;
        case 't': if (parse_unsigned("--threads", optarg, 1, 64, &opt.threads)) return 2; break;
        case 'M': if (parse_unsigned("--max-connections", optarg, 1, 65536, &opt.max_connections)) return 2; break;
        case 'd': if (parse_unsigned("--drain-timeout", optarg, 0, 600, &opt.drain_timeout_s)) return 2; break;
        case 'i': if (parse_unsigned("--idle-timeout", optarg, 1, 600, &opt.connection_timeout_s)) return 2; break;
        case 'r': if (parse_unsigned("--request-timeout", optarg, 1, 600, &opt.request_timeout_s)) return 2; break;
        case 'P':
            if (parse_unsigned("--max-connections-per-ip", optarg, 0, 65536, &opt.max_connections_per_ip))
                return 2;
            break;
        case 'h': serve_usage(stdout); return 0;
        default: serve_usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "schemagate serve: unexpected argument \"%s\"\n", argv[optind]);
        return 2;
    }
    if (opt.cert_file == NULL || opt.key_file == NULL) {
        fprintf(stderr, "schemagate serve: --tls-cert-file and --tls-private-key-file are required "
                        "(make them with: schemagate-certs --out DIR)\n");
        return 2;
    }
    /* A request body grows to 3 MiB; glibc would raise its mmap threshold to that size after the
     * first one is freed and then keep such buffers on each thread's heap for good. A fixed
     * threshold maps every block from 1 MiB up and unmaps it on free, so memory goes back to
     * the system after each large request (README "Memory per request"). */
    /* One malloc arena per request thread: the database threads, the watchdog and the resolver
     * allocate little and rarely, and an arena each (glibc's default) costs resident pages for
     * nothing (bench/RESULTS.md, peak RSS). */
    if (mallopt(M_MMAP_THRESHOLD, 1024 * 1024) != 1 || mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024) != 1 ||
        mallopt(M_ARENA_MAX, (int)opt.threads) != 1)
        log_event("warn", "malloc_thresholds", "could not fix malloc's mmap threshold (another allocator, e.g. "
                  "a sanitizer's?); memory may stay allocated after large requests");
    struct config cfg;
    if (load_config(config_path, &cfg) != 0)
        return 2;
    if (metrics_init(&cfg) != 0) {
        fprintf(stderr, "schemagate: out of memory\n");
        config_free(&cfg);
        return 2;
    }
    struct sg_error err = {{0}};
    struct history_source *history = history_open(&cfg, &err);
    if (history == NULL) {
        fprintf(stderr, "schemagate serve: %s\n", err.message);
        metrics_shutdown();
        config_free(&cfg);
        return 2;
    }
    int rc = server_run(&opt, &cfg, history, &err);
    if (rc != 0)
        fprintf(stderr, "schemagate serve: %s\n", err.message);
    history_close(history);
    metrics_shutdown();
    config_free(&cfg);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    /* The registries' own consistency first (a descriptor with a gap is a start-up error, never
     * a crash on the first admission). */
    struct sg_error err = {{0}};
    if (check_registry_check(&err) != 0) {
        fprintf(stderr, "schemagate: %s (a build error: report it)\n", err.message);
        return 70;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "review") == 0)
        return review_command(argc - 1, argv + 1);
    if (strcmp(cmd, "config") == 0)
        return cli_config(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        puts("schemagate " SCHEMAGATE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "schemagate: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return 2;
}
