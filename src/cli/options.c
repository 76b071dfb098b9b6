/*
 * options.c - getopt_long parsing of the connlog command line.
 */
#include "cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    OPT_JSON = 256,
    OPT_IGNORE_CHECKSUMS_NETS,
    OPT_LOCAL_NETS,
    OPT_NO_PRIVATE_LOCAL,
    OPT_ANALYZERS,
    OPT_BARE,
    OPT_SERVER_PORT,
    OPT_ANALYZER_PORT,
    OPT_COLUMNS,
    OPT_VLAN_KEY,
    OPT_SET,
    OPT_SEED,
    OPT_SEED_FILE,
    OPT_MAX_CONNS,
    OPT_STATS,
    OPT_VERSION
};

static const struct option long_options[] = {
    {"read", required_argument, NULL, 'r'},
    {"interface", required_argument, NULL, 'i'},
    {"filter", required_argument, NULL, 'f'},
    {"write", required_argument, NULL, 'w'},
    {"json", no_argument, NULL, OPT_JSON},
    {"ignore-checksums", no_argument, NULL, 'C'},
    {"ignore-checksums-nets", required_argument, NULL, OPT_IGNORE_CHECKSUMS_NETS},
    {"local-nets", required_argument, NULL, OPT_LOCAL_NETS},
    {"no-private-local", no_argument, NULL, OPT_NO_PRIVATE_LOCAL},
    {"analyzers", required_argument, NULL, OPT_ANALYZERS},
    {"bare", no_argument, NULL, OPT_BARE},
    {"server-port", required_argument, NULL, OPT_SERVER_PORT},
    {"analyzer-port", required_argument, NULL, OPT_ANALYZER_PORT},
    {"columns", required_argument, NULL, OPT_COLUMNS},
    {"vlan-key", no_argument, NULL, OPT_VLAN_KEY},
    {"set", required_argument, NULL, OPT_SET},
    {"seed", required_argument, NULL, OPT_SEED},
    {"seed-file", required_argument, NULL, OPT_SEED_FILE},
    {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
    {"stats", no_argument, NULL, OPT_STATS},
    {"threads", required_argument, NULL, 'j'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

uint64_t cli_default_max_conns(void)
{
    const uint64_t lo = 100000, hi = 50000000;
    uint64_t kb = 0;
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            unsigned long long v;
            if (sscanf(line, "MemTotal: %llu kB", &v) == 1) {
                kb = v;
                break;
            }
        }
        fclose(f);
    }
    if (kb == 0)
        return 1000000; /* no /proc: a modest fixed bound */
    uint64_t n = kb * 1024 / 4 / CLI_BYTES_PER_CONN;
    if (n < lo)
        n = lo;
    if (n > hi)
        n = hi;
    return n;
}

static void usage(FILE *out)
{
    fprintf(out,
        "usage: connlog (-r FILE [-r FILE...] | -i IFACE) [options]\n"
        "Turn packets into Zeek-compatible conn.log records (Zeek 9.1).\n"
        "\n"
        "Input:\n"
        "  -r, --read FILE          read a pcap or pcapng file; '-' reads stdin;\n"
        "                           repeat to read several files as one stream\n"
        "                           (they must share a link type)\n"
        "  -i, --interface IFACE    capture live from IFACE (snaplen 9216, promiscuous)\n"
        "  -f, --filter EXPR        BPF filter, as tcpdump and zeek -f\n"
        "\n"
        "Output:\n"
        "  -w, --write DIR          write DIR/conn.log (default: .); '-' = stdout.\n"
        "                           No records, no file (as Zeek).\n"
        "      --json               Zeek JSON lines (LogAscii::use_json=T) instead of TSV\n"
        "      --columns LIST       extra columns, comma-separated, as Zeek names them:\n"
        "                           ip_proto (Zeek 9's column after tunnel_parents),\n"
        "                           orig_l2_addr, resp_l2_addr, vlan, inner_vlan,\n"
        "                           pppoe_session_id, speculative_service, community_id,\n"
        "                           failed_service,\n"
        "                           id.ctx.vlan, id.ctx.inner_vlan\n"
        "\n"
        "Analysis (defaults are Zeek's):\n"
        "  -C, --ignore-checksums   do not verify IP/TCP/UDP/ICMP checksums\n"
        "      --ignore-checksums-nets CIDR[,CIDR...]\n"
        "                           skip checksum checks for packets from these nets\n"
        "      --local-nets CIDR[,CIDR...]\n"
        "                           Site::local_nets (local_orig/local_resp)\n"
        "      --no-private-local   private address space is not local\n"
        "                           (Site::private_address_space_is_local = F)\n"
        "      --analyzers all|LIST 'all' (default): Zeek's default scripts; LIST\n"
        "                           (e.g. http,dns,ssl): zeek -b with those protocol\n"
        "                           scripts: likely server ports are the tunnel ports\n"
        "                           plus those analyzers' ports\n"
        "      --bare               zeek -b with no protocol scripts (tunnel ports only)\n"
        "      --server-port PORT/tcp|PORT/udp\n"
        "                           add a likely server port (repeatable)\n"
        "      --analyzer-port NAME:PORT/tcp\n"
        "                           attach an analyzer to a port, as Zeek's\n"
        "                           Analyzer::register_for_port (repeatable): http,\n"
        "                           ssl, ssh, ftp, telnet, rsh\n"
        "      --vlan-key           VLAN ids are part of the connection key (Zeek's\n"
        "                           vlan_fivetuple); adds id.ctx.vlan, id.ctx.inner_vlan\n"
        "      --set NAME=VALUE     set a Zeek constant (repeatable): tcp_SYN_timeout,\n"
        "                           tcp_session_timer, tcp_connection_linger,\n"
        "                           tcp_attempt_delay, tcp_close_delay,\n"
        "                           tcp_inactivity_timeout, udp_inactivity_timeout,\n"
        "                           icmp_inactivity_timeout, unknown_ip_inactivity_timeout,\n"
        "                           frag_timeout (intervals: 30, '30 secs', 5min),\n"
        "                           max_timer_expires,\n"
        "                           tcp_max_above_hole_without_any_acks,\n"
        "                           tcp_excessive_data_without_further_acks,\n"
        "                           report_gaps_for_partial (T/F), ignore_checksums (T/F),\n"
        "                           Tunnel::max_depth, Tunnel::max_changes_per_connection,\n"
        "                           Tunnel::delay_teredo_confirmation (T/F),\n"
        "                           dns_max_queries, SSH::max_packet_length,\n"
        "                           SSH::max_string_length,\n"
        "                           DPD::track_removed_services_in_connection (T/F),\n"
        "                           Analyzer::disable_all (T/F: no packet counts),\n"
        "                           Analyzer::requested_analyzers (http,dns,...: run\n"
        "                           even after disable_all)\n"
        "      --seed N             reproducible uids (a whole run is repeatable)\n"
        "      --seed-file FILE     seed from a Zeek random.seed file (wins over --seed)\n"
        "      --max-conns N        at most N live connections; when full the one idle\n"
        "                           longest is logged early; 0 = unbounded\n"
        "                           (default here: %" PRIu64 ", a quarter of physical\n"
        "                           memory at 1 KiB per connection)\n"
        "\n"
        "Performance:\n"
        "  -j, --threads N          spread connections over N engines, one per thread\n"
        "                           (by IP address pair; default 1). Records are the\n"
        "                           same set; their order differs\n"
        "\n"
        "Other:\n"
        "      --stats              print engine counters to stderr at the end\n"
        "  -q, --quiet              no warnings (errors are still reported)\n"
        "  -h, --help               this text\n"
        "      --version            print the version\n"
        "\n"
        "Exit codes:\n"
        "  0   success\n"
        "  1   finished, but an input was cut short or corrupt part-way (truncated\n"
        "      pcap): every record up to the cut is written, and a warning names the file\n"
        "  64  usage error (bad option, value or filter expression)\n"
        "  65  bad input data: not a pcap/pcapng file, or an unsupported link type\n"
        "  66  an input file or interface cannot be opened\n"
        "  70  internal error (the engine could not start)\n"
        "  73  the output cannot be created\n"
        "  74  write error on the output\n"
        "Messages are one line: 'connlog: FILE: problem'.\n",
        cli_default_max_conns());
}

static int usage_error(int *exit_code, const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "connlog: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, " (try 'connlog --help')\n");
    *exit_code = CLI_EXIT_USAGE;
    return -1;
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* "80/tcp", "53/udp". */
static int parse_server_port(const char *s, int *proto, uint16_t *port)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash == s)
        return -1;
    char num[8];
    size_t n = (size_t)(slash - s);
    if (n >= sizeof num)
        return -1;
    memcpy(num, s, n);
    num[n] = '\0';
    uint64_t v;
    if (parse_u64(num, &v) != 0 || v > 65535)
        return -1;
    if (strcasecmp(slash + 1, "tcp") == 0)
        *proto = 6;
    else if (strcasecmp(slash + 1, "udp") == 0)
        *proto = 17;
    else
        return -1;
    *port = (uint16_t)v;
    return 0;
}

static bool has_column(const cl_writer_options *w, cl_column c)
{
    for (size_t i = 0; i < w->n_extra; i++)
        if (w->extra[i] == c)
            return true;
    return false;
}

static int add_column(cl_writer_options *w, cl_column c)
{
    if (has_column(w, c))
        return 0;
    if (w->n_extra >= CL_MAX_EXTRA_COLUMNS)
        return -1;
    w->extra[w->n_extra++] = c;
    return 0;
}

int cli_parse(int argc, char **argv, cli_options *opt, int *exit_code)
{
    memset(opt, 0, sizeof *opt);
    cl_config_init(&opt->cfg);
    opt->outdir = ".";
    opt->threads = 1;
    opt->wopt.format = CL_FORMAT_TSV;

    /* Collected and applied after the analyzer choice, which replaces the
     * port sets. */
    struct {
        int proto;
        uint16_t port;
    } ports[256];
    size_t n_ports = 0;
    const char *analyzers = NULL;
    bool max_conns_given = false;
    bool vlan_key = false;
    /* --set values are applied in order, after everything else, so that
     * e.g. --set ignore_checksums=F after -C means what it says. */
    const char *sets[256];
    size_t n_sets = 0;

    *exit_code = CLI_EXIT_OK;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":r:i:f:w:j:Cqh", long_options, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (opt->n_inputs >= CLI_MAX_INPUTS)
                return usage_error(exit_code, "too many -r files (at most %s)%s", "1024", "");
            opt->inputs[opt->n_inputs++] = optarg;
            break;
        case 'i':
            if (opt->iface)
                return usage_error(exit_code, "-i given twice%s%s", "", "");
            opt->iface = optarg;
            break;
        case 'f':
            opt->filter = optarg;
            break;
        case 'w':
            if (*optarg == '\0')
                return usage_error(exit_code, "-w: empty directory name%s%s", "", "");
            opt->outdir = optarg;
            break;
        case OPT_JSON:
            opt->wopt.format = CL_FORMAT_JSON;
            break;
        case 'C':
            opt->cfg.ignore_checksums = true;
            break;
        case OPT_IGNORE_CHECKSUMS_NETS:
            if (cl_netlist_add(&opt->cfg.ignore_checksums_nets, optarg) != 0)
                return usage_error(exit_code, "--ignore-checksums-nets: bad network list '%s'%s", optarg, "");
            break;
        case OPT_LOCAL_NETS:
            if (cl_netlist_add(&opt->cfg.local_nets, optarg) != 0)
                return usage_error(exit_code, "--local-nets: bad network list '%s'%s", optarg, "");
            break;
        case OPT_NO_PRIVATE_LOCAL:
            opt->cfg.private_address_space_is_local = false;
            break;
        case OPT_ANALYZERS:
            if (*optarg == '\0')
                return usage_error(exit_code, "--analyzers: empty list (use --bare for none)%s%s", "", "");
            analyzers = optarg;
            break;
        case OPT_BARE:
            analyzers = "none";
            break;
        case OPT_SERVER_PORT:
            if (n_ports >= sizeof ports / sizeof ports[0])
                return usage_error(exit_code, "too many --server-port options%s%s", "", "");
            if (parse_server_port(optarg, &ports[n_ports].proto, &ports[n_ports].port) != 0)
                return usage_error(exit_code, "--server-port: '%s' is not PORT/tcp or PORT/udp%s", optarg, "");
            n_ports++;
            break;
        case OPT_ANALYZER_PORT: {
            const char *colon = strchr(optarg, ':');
            char name[32];
            int proto = 0;
            uint16_t port = 0;
            size_t n = colon ? (size_t)(colon - optarg) : 0;
            if (!colon || n == 0 || n >= sizeof name ||
                parse_server_port(colon + 1, &proto, &port) != 0 || proto != 6)
                return usage_error(exit_code, "--analyzer-port: '%s' is not NAME:PORT/tcp%s", optarg, "");
            memcpy(name, optarg, n);
            name[n] = '\0';
            if (cl_config_register_port(&opt->cfg, name, port) != 0)
                return usage_error(exit_code, "--analyzer-port: unknown analyzer '%s' or too many ports%s", name, "");
            break;
        }
        case OPT_COLUMNS: {
            char buf[1024];
            if (strlen(optarg) >= sizeof buf)
                return usage_error(exit_code, "--columns: list too long%s%s", "", "");
            strcpy(buf, optarg);
            char *save = NULL;
            for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
                cl_column col = cl_column_parse(tok);
                if (col == 0)
                    return usage_error(exit_code, "--columns: unknown column '%s'%s", tok, "");
                if (add_column(&opt->wopt, col) != 0)
                    return usage_error(exit_code, "--columns: too many columns%s%s", "", "");
                if (col == CL_COL_COMMUNITY_ID)
                    opt->cfg.community_id = true; /* the engine computes it only when asked */
                if (col == CL_COL_ORIG_L2_ADDR || col == CL_COL_RESP_L2_ADDR || col == CL_COL_VLAN ||
                    col == CL_COL_INNER_VLAN || col == CL_COL_PPPOE_SESSION_ID)
                    opt->cfg.l2_context = true; /* the engine keeps it only when asked */
            }
            break;
        }
        case OPT_VLAN_KEY:
            vlan_key = true;
            break;
        case OPT_SET:
            if (!strchr(optarg, '='))
                return usage_error(exit_code, "--set: '%s' is not NAME=VALUE%s", optarg, "");
            if (n_sets >= sizeof sets / sizeof sets[0])
                return usage_error(exit_code, "too many --set options%s%s", "", "");
            sets[n_sets++] = optarg;
            break;
        case OPT_SEED: {
            uint64_t v;
            if (parse_u64(optarg, &v) != 0)
                return usage_error(exit_code, "--seed: '%s' is not a number%s", optarg, "");
            opt->cfg.has_seed = true;
            opt->cfg.seed = v;
            break;
        }
        case OPT_SEED_FILE:
            opt->cfg.seed_file = optarg;
            break;
        case OPT_MAX_CONNS: {
            uint64_t v;
            if (parse_u64(optarg, &v) != 0)
                return usage_error(exit_code, "--max-conns: '%s' is not a number%s", optarg, "");
            opt->cfg.max_conns = v;
            max_conns_given = true;
            break;
        }
        case OPT_STATS:
            opt->stats = true;
            break;
        case 'j': {
            uint64_t v;
            if (parse_u64(optarg, &v) != 0 || v < 1 || v > CLI_MAX_THREADS)
                return usage_error(exit_code, "--threads: '%s' is not a number from 1 to 64%s",
                                   optarg, "");
            opt->threads = (unsigned)v;
            break;
        }
        case 'q':
            opt->quiet = true;
            break;
        case 'h':
            usage(stdout);
            *exit_code = CLI_EXIT_OK;
            return -1;
        case OPT_VERSION:
            printf("connlog %s\n", CONNLOG_VERSION);
            *exit_code = CLI_EXIT_OK;
            return -1;
        case ':':
            if (optopt > 0 && optopt < 256) {
                char o[2] = {(char)optopt, '\0'};
                return usage_error(exit_code, "option -%s needs a value%s", o, "");
            }
            return usage_error(exit_code, "option %s needs a value%s", argv[optind - 1], "");
        case '?':
        default:
            if (optopt > 0 && optopt < 256) {
                char o[2] = {(char)optopt, '\0'};
                return usage_error(exit_code, "unknown option -%s%s", o, "");
            }
            return usage_error(exit_code, "unknown option '%s'%s", argv[optind - 1], "");
        }
    }
    if (optind < argc)
        return usage_error(exit_code, "unexpected argument '%s'%s", argv[optind], "");
    if (opt->n_inputs == 0 && !opt->iface)
        return usage_error(exit_code, "no input: give -r FILE or -i IFACE%s%s", "", "");
    if (opt->n_inputs > 0 && opt->iface)
        return usage_error(exit_code, "-r and -i cannot be combined%s%s", "", "");
    size_t n_stdin = 0;
    for (size_t i = 0; i < opt->n_inputs; i++)
        n_stdin += strcmp(opt->inputs[i], "-") == 0;
    if (n_stdin > 1)
        return usage_error(exit_code, "-r - (stdin) given more than once%s%s", "", "");

    if (analyzers && cl_config_set_analyzers(&opt->cfg, analyzers) != 0)
        return usage_error(exit_code, "--analyzers: bad list '%s'%s", analyzers, "");
    for (size_t i = 0; i < n_ports; i++)
        cl_config_add_port(&opt->cfg, ports[i].proto, ports[i].port);

    if (vlan_key) {
        opt->cfg.conn_key_vlan = true;
        if (add_column(&opt->wopt, CL_COL_CTX_VLAN) != 0 ||
            add_column(&opt->wopt, CL_COL_CTX_INNER_VLAN) != 0)
            return usage_error(exit_code, "--columns: too many columns%s%s", "", "");
    }

    for (size_t i = 0; i < n_sets; i++) {
        char name[128];
        const char *eq = strchr(sets[i], '=');
        size_t n = (size_t)(eq - sets[i]);
        if (n == 0 || n >= sizeof name)
            return usage_error(exit_code, "--set: bad name in '%s'%s", sets[i], "");
        memcpy(name, sets[i], n);
        name[n] = '\0';
        if (cl_config_set(&opt->cfg, name, eq + 1) != 0)
            return usage_error(exit_code, "--set: unknown setting or bad value in '%s'%s", sets[i], "");
    }

    if (!max_conns_given)
        opt->cfg.max_conns = cli_default_max_conns();
    return 0;
}
