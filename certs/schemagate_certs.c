/* schemagate_certs.c - the schemagate-certs command: parses flags and calls certgen/certinfo.
 * Machine output (--ca-bundle, --secret-manifest, --check) goes to stdout, status and errors to
 * stderr, so `CA=$(schemagate-certs --out d --ca-bundle)` works. Exit 0 ok, 2 error, 1 expiring. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certgen.h"
#include "certinfo.h"
#include "error.h"

#define EXIT_USAGE 2

struct options {
    const char *out_dir;
    const char *dns[CERTGEN_MAX_NAMES];
    size_t dns_count;
    const char *ips[CERTGEN_MAX_NAMES];
    size_t ip_count;
    const char *days;
    const char *service;
    const char *namespace_name;
    const char *check_file;
    const char *secret_name;
    bool ca_bundle;
    bool help;
};

static const char usage_text[] =
    "usage: schemagate-certs --out DIR [--dns NAME]... [--ip ADDR]... [--days N]\n"
    "                        [--service NAME --namespace NS] [--ca-bundle | --secret-manifest NAME]\n"
    "       schemagate-certs --out DIR --ca-bundle\n"
    "       schemagate-certs --out DIR --secret-manifest NAME --namespace NS\n"
    "       schemagate-certs --check FILE\n"
    "\n"
    "Makes the TLS files schemagate serves with: a CA (DIR/ca.crt, DIR/ca.key) and an ECDSA P-256\n"
    "serving certificate signed by it (DIR/tls.crt, DIR/tls.key, mode 0600).\n"
    "\n"
    "Generate (whenever --dns, --ip, --service or --days is given, or neither --ca-bundle nor\n"
    "--secret-manifest is):\n"
    "  --out DIR               output directory, created (0755) when missing\n"
    "  --dns NAME              a DNS subjectAltName; repeatable; a leading '*.' makes a wildcard\n"
    "  --ip ADDR               an IPv4 or IPv6 subjectAltName; repeatable\n"
    "  --service NAME          with --namespace NS: adds NAME.NS.svc, NAME.NS.svc.cluster.local,\n"
    "                          NAME.NS and NAME (the first one is the subject CN)\n"
    "  --namespace NS          the Service's namespace, and the Secret's for --secret-manifest\n"
    "  --days N                serving certificate validity, 1-3650 days (default 365)\n"
    "  Without any name: schemagate.schemagate-system.svc, schemagate.schemagate-system.svc.cluster.local,\n"
    "  localhost and 127.0.0.1. When DIR already holds ca.crt and ca.key, that CA signs the new\n"
    "  serving certificate, so the caBundle survives rotation; otherwise a new CA (10 years) is made.\n"
    "\n"
    "Print (to stdout; status messages go to stderr):\n"
    "  --ca-bundle             base64 of DIR/ca.crt on one line: the webhook's caBundle\n"
    "  --secret-manifest NAME  a kubernetes.io/tls Secret NAME in --namespace NS holding tls.crt,\n"
    "                          tls.key and ca.crt, for installing with an existing Secret\n"
    "  Without --dns, --ip, --service and --days these only read DIR; with them they print what\n"
    "  was just generated.\n"
    "\n"
    "Check:\n"
    "  --check FILE            print subject, names and expiry of the certificate in FILE; exit 0 if\n"
    "                          valid for more than 30 days, 1 if it expires within 30 days, 2 if\n"
    "                          expired, not yet valid or unreadable\n"
    "\n"
    "Exit status: 0 done, 2 bad usage or failure (--check: as above).\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "schemagate-certs: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nrun schemagate-certs --help for usage\n");
    va_end(ap);
    return -1;
}

static int set_once(const char **slot, const char *flag, const char *value)
{
    if (*slot != NULL) {
        return usage_error("%s given twice ('%s' and '%s'); give it once", flag, *slot, value);
    }
    *slot = value;
    return 0;
}

static int add_repeated(const char **list, size_t *count, const char *flag, const char *value)
{
    if (*count == CERTGEN_MAX_NAMES)
        return usage_error("too many %s options (limit %d)", flag, CERTGEN_MAX_NAMES);
    list[(*count)++] = value;
    return 0;
}

/* Accepts "--flag VALUE" and "--flag=VALUE"; a value that looks like another flag is a mistake. */
static int parse_options(int argc, char **argv, struct options *opt)
{
    memset(opt, 0, sizeof *opt);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            opt->help = true;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0)
            return usage_error("unexpected argument '%s'; options start with --", arg);

        char flag[64];
        const char *equals = strchr(arg, '=');
        size_t flag_length = equals ? (size_t)(equals - arg) : strlen(arg);
        if (flag_length >= sizeof flag)
            return usage_error("unknown option '%s'", arg);
        memcpy(flag, arg, flag_length);
        flag[flag_length] = '\0';

        if (strcmp(flag, "--ca-bundle") == 0) {
            if (equals != NULL)
                return usage_error("%s takes no value (got '%s')", flag, arg);
            opt->ca_bundle = true;
            continue;
        }
        static const char *const valued[] = { "--out", "--dns", "--ip", "--days", "--service",
                                              "--namespace", "--check", "--secret-manifest" };
        bool known = false;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
            known = known || strcmp(flag, valued[k]) == 0;
        if (!known)
            return usage_error("unknown option '%s'", flag);

        const char *value = equals ? equals + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (value == NULL)
            return usage_error("%s needs a value", flag);
        if (equals == NULL && strncmp(value, "--", 2) == 0)
            return usage_error("%s needs a value, but the next argument is the option '%s'", flag, value);

        int rc;
        if (strcmp(flag, "--out") == 0)
            rc = set_once(&opt->out_dir, flag, value);
        else if (strcmp(flag, "--dns") == 0)
            rc = add_repeated(opt->dns, &opt->dns_count, flag, value);
        else if (strcmp(flag, "--ip") == 0)
            rc = add_repeated(opt->ips, &opt->ip_count, flag, value);
        else if (strcmp(flag, "--days") == 0)
            rc = set_once(&opt->days, flag, value);
        else if (strcmp(flag, "--service") == 0)
            rc = set_once(&opt->service, flag, value);
        else if (strcmp(flag, "--namespace") == 0)
            rc = set_once(&opt->namespace_name, flag, value);
        else if (strcmp(flag, "--check") == 0)
            rc = set_once(&opt->check_file, flag, value);
        else
            rc = set_once(&opt->secret_name, flag, value);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int parse_days(const char *text, int *days)
{
    *days = CERTGEN_DEFAULT_DAYS;
    if (text == NULL)
        return 0;
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 1 || value > CERTGEN_MAX_DAYS)
        return usage_error("--days '%s' is not a whole number of days from 1 to %d", text, CERTGEN_MAX_DAYS);
    *days = (int)value;
    return 0;
}

static bool wants_generation(const struct options *opt)
{
    return opt->dns_count > 0 || opt->ip_count > 0 || opt->service != NULL || opt->days != NULL
        || (!opt->ca_bundle && opt->secret_name == NULL);
}

/* Cross-flag rules, checked before anything touches the disk. */
static int check_combinations(const struct options *opt)
{
    if (opt->check_file != NULL) {
        bool other = opt->out_dir || opt->dns_count || opt->ip_count || opt->days || opt->service
                     || opt->namespace_name || opt->secret_name || opt->ca_bundle;
        return other ? usage_error("--check %s reads one certificate and takes no other option",
                                   opt->check_file)
                     : 0;
    }
    if (opt->out_dir == NULL)
        return usage_error("--out DIR is required: the directory for ca.crt, tls.crt and tls.key");
    if (opt->ca_bundle && opt->secret_name != NULL)
        return usage_error("--ca-bundle and --secret-manifest both print to stdout; run them separately");
    if (opt->service != NULL && opt->namespace_name == NULL)
        return usage_error("--service %s needs --namespace NS (the Service's namespace)", opt->service);
    if (opt->secret_name != NULL && opt->namespace_name == NULL)
        return usage_error("--secret-manifest %s needs --namespace NS (the Secret's namespace)",
                           opt->secret_name);
    if (opt->namespace_name != NULL && opt->service == NULL && opt->secret_name == NULL)
        return usage_error("--namespace %s is only used with --service or --secret-manifest",
                           opt->namespace_name);
    return 0;
}

static int build_names(const struct options *opt, struct certgen_names *names, struct sg_error *err)
{
    certgen_names_init(names);
    if (opt->service != NULL && certgen_names_add_service(names, opt->service, opt->namespace_name, err) != 0)
        return -1;
    for (size_t i = 0; i < opt->dns_count; i++)
        if (certgen_names_add_dns(names, opt->dns[i], err) != 0)
            return -1;
    for (size_t i = 0; i < opt->ip_count; i++)
        if (certgen_names_add_ip(names, opt->ips[i], err) != 0)
            return -1;
    if (certgen_names_empty(names))
        return certgen_names_add_defaults(names, err);
    return 0;
}

static int generate(const struct options *opt, struct sg_error *err)
{
    int days;
    if (parse_days(opt->days, &days) != 0)
        return EXIT_USAGE;
    struct certgen_names *names = malloc(sizeof *names);
    if (names == NULL) {
        sg_error_set(err, "out of memory");
        return -1;
    }
    struct certgen_outcome outcome;
    int rc = build_names(opt, names, err);
    if (rc == 0)
        rc = certgen_issue(opt->out_dir, names, days, &outcome, err);
    free(names);
    if (rc != 0)
        return -1;

    char ca_until[32], cert_until[32];
    certgen_format_time(outcome.ca_not_after, ca_until, sizeof ca_until);
    certgen_format_time(outcome.cert_not_after, cert_until, sizeof cert_until);
    fprintf(stderr, "schemagate-certs: %s %s/ca.crt (valid until %s)\n",
            outcome.ca_created ? "created a new CA in" : "reused the CA in", opt->out_dir, ca_until);
    fprintf(stderr, "schemagate-certs: wrote %s/tls.crt and %s/tls.key for %s (valid until %s)\n",
            opt->out_dir, opt->out_dir, outcome.names_text, cert_until);
    return 0;
}

static int run(const struct options *opt)
{
    struct sg_error err = { .message = "" };
    if (opt->check_file != NULL) {
        enum certinfo_status status = certinfo_check(opt->check_file, time(NULL), stdout, &err);
        if (err.message[0] != '\0')
            fprintf(stderr, "schemagate-certs: %s\n", err.message);
        return (int)status;
    }
    int rc = 0;
    if (wants_generation(opt)) {
        rc = generate(opt, &err);
        if (rc == EXIT_USAGE)
            return EXIT_USAGE;
    }
    if (rc == 0 && opt->ca_bundle)
        rc = certinfo_print_ca_bundle(opt->out_dir, stdout, &err);
    if (rc == 0 && opt->secret_name != NULL)
        rc = certinfo_print_secret_manifest(opt->out_dir, opt->secret_name, opt->namespace_name, stdout, &err);
    if (rc == 0 && fflush(stdout) != 0) {
        sg_error_set(&err, "cannot write to stdout: %s", strerror(errno));
        rc = -1;
    }
    if (rc != 0) {
        fprintf(stderr, "schemagate-certs: %s\n", err.message);
        return EXIT_USAGE;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options opt;
    if (parse_options(argc, argv, &opt) != 0)
        return EXIT_USAGE;
    if (opt.help) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (argc == 1) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (check_combinations(&opt) != 0)
        return EXIT_USAGE;
    return run(&opt);
}
