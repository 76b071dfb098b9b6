/*
 * config.c - cl_config defaults (Zeek's), likely server ports, settings by
 * Zeek script name, and the analyzer (script) selection.
 *
 * Everything here works on the caller's cl_config; there is no state of its
 * own. The constants are Zeek's (spec section 0.2, 1.4 and 7.2).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connlog.h"
#include "analyzer/analyzer.h"

/* ------------------------------------------------------------------ */
/* Port tables                                                         */
/* ------------------------------------------------------------------ */

#define TCP 6
#define UDP 17

typedef struct port_reg {
    uint8_t proto;
    uint16_t port;
} port_reg;

/* Ports of the packet analyzers reached from UDP (base/packet-protocols,
 * always loaded, also in bare mode): GTPv1 2123/2152, Teredo 3544, GRE over
 * UDP 4754, VXLAN 4789, AYIYA 5072, Geneve 6081. */
static const port_reg tunnel_ports[] = {
    {UDP, 2123}, {UDP, 2152}, {UDP, 3544}, {UDP, 4754},
    {UDP, 4789}, {UDP, 5072}, {UDP, 6081},
};

/* Server ports registered by each protocol script (spec 7.2). An analyzer
 * script may register several analyzers (krb: KRB and KRB_TCP). Ports that
 * Zeek registers as non-server ports (DHCP 68/udp, QUIC 853/udp and
 * 784/udp) are left out: they never count as likely server ports. */
typedef struct analyzer_ports {
    const char *name;          /* script / analyzer name, lower case, '_' */
    const port_reg *ports;
    size_t n;
} analyzer_ports;

static const port_reg p_dce_rpc[] = {{TCP, 135}};
static const port_reg p_dhcp[] = {{UDP, 67}, {UDP, 4011}};
/* The DNP3 script registers 20000 for both; spec 1.4 notes the UDP one. */
static const port_reg p_dnp3[] = {{TCP, 20000}, {UDP, 20000}};
static const port_reg p_dns[] = {{TCP, 53}, {UDP, 53}, {UDP, 137},
                                 {UDP, 5353}, {UDP, 5355}};
static const port_reg p_finger[] = {{TCP, 79}};
static const port_reg p_ftp[] = {{TCP, 21}, {TCP, 2811}};
static const port_reg p_http[] = {{TCP, 80}, {TCP, 81}, {TCP, 631},
                                  {TCP, 1080}, {TCP, 3128}, {TCP, 8000},
                                  {TCP, 8080}, {TCP, 8888}};
static const port_reg p_imap[] = {{TCP, 143}};
static const port_reg p_irc[] = {{TCP, 6666}, {TCP, 6667}, {TCP, 6668},
                                 {TCP, 6669}};
static const port_reg p_krb[] = {{UDP, 88}, {TCP, 88}};
static const port_reg p_ldap[] = {{TCP, 389}, {TCP, 3268}, {UDP, 389}};
static const port_reg p_modbus[] = {{TCP, 502}};
static const port_reg p_mqtt[] = {{TCP, 1883}};
static const port_reg p_mysql[] = {{TCP, 1434}, {TCP, 3306}};
static const port_reg p_ntp[] = {{UDP, 123}};
static const port_reg p_postgresql[] = {{TCP, 5432}};
static const port_reg p_quic[] = {{UDP, 443}};
static const port_reg p_radius[] = {{UDP, 1812}};
static const port_reg p_rdp[] = {{TCP, 3389}, {UDP, 3389}};
static const port_reg p_redis[] = {{TCP, 6379}};
static const port_reg p_sip[] = {{UDP, 5060}};
static const port_reg p_smb[] = {{TCP, 139}, {TCP, 445}};
static const port_reg p_smtp[] = {{TCP, 25}, {TCP, 587}};
static const port_reg p_snmp[] = {{UDP, 161}, {UDP, 162}};
static const port_reg p_socks[] = {{TCP, 1080}};
static const port_reg p_ssh[] = {{TCP, 22}};
/* base/protocols/ssl loads SSL and DTLS (443/udp). */
static const port_reg p_ssl[] = {{TCP, 443}, {TCP, 465}, {TCP, 563},
                                 {TCP, 585}, {TCP, 614}, {TCP, 636},
                                 {TCP, 989}, {TCP, 990}, {TCP, 992},
                                 {TCP, 993}, {TCP, 995}, {TCP, 5223},
                                 {UDP, 443}};
static const port_reg p_syslog[] = {{UDP, 514}, {TCP, 514}};
static const port_reg p_xmpp[] = {{TCP, 5222}, {TCP, 5269}};

#define AP(name, arr) {name, arr, sizeof arr / sizeof arr[0]}
#define AP_NONE(name) {name, NULL, 0}

static const analyzer_ports analyzer_table[] = {
    AP("dce_rpc", p_dce_rpc),
    AP("dhcp", p_dhcp),
    AP("dnp3", p_dnp3),
    AP("dnp3_tcp", p_dnp3),
    AP("dns", p_dns),
    AP("dtls", p_ssl),
    AP("finger", p_finger),
    AP("ftp", p_ftp),
    AP("http", p_http),
    AP("imap", p_imap),
    AP("irc", p_irc),
    AP("krb", p_krb),
    AP("krb_tcp", p_krb),
    AP("ldap", p_ldap),
    AP("ldap_tcp", p_ldap),
    AP("ldap_udp", p_ldap),
    AP("modbus", p_modbus),
    AP("mqtt", p_mqtt),
    AP("mysql", p_mysql),
    AP("ntp", p_ntp),
    AP("postgresql", p_postgresql),
    AP("quic", p_quic),
    AP("radius", p_radius),
    AP("rdp", p_rdp),
    AP("rdpeudp", p_rdp),
    AP("redis", p_redis),
    AP("sip", p_sip),
    AP("smb", p_smb),
    AP("smtp", p_smtp),
    AP("snmp", p_snmp),
    AP("socks", p_socks),
    AP("ssh", p_ssh),
    AP("ssl", p_ssl),
    AP("syslog", p_syslog),
    AP("syslog_tcp", p_syslog),
    AP("xmpp", p_xmpp),
    /* Analyzers without default port registrations. */
    AP_NONE("pop3"),
    AP_NONE("websocket"),
    AP_NONE("rfb"),
    AP_NONE("ntlm"),
    AP_NONE("gssapi"),
    AP_NONE("tunnels"),
};

static void add_regs(cl_config *cfg, const port_reg *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cl_config_add_port(cfg, r[i].proto, r[i].port);
}

static void clear_ports(cl_config *cfg)
{
    memset(cfg->likely_server_tcp, 0, sizeof cfg->likely_server_tcp);
    memset(cfg->likely_server_udp, 0, sizeof cfg->likely_server_udp);
}

void cl_config_add_port(cl_config *cfg, int proto, uint16_t port)
{
    uint8_t *set;
    if (proto == TCP)
        set = cfg->likely_server_tcp;
    else if (proto == UDP)
        set = cfg->likely_server_udp;
    else
        return;
    set[port >> 3] |= (uint8_t)(1u << (port & 7));
}

void cl_config_set_ports(cl_config *cfg, cl_port_preset preset)
{
    clear_ports(cfg);
    switch (preset) {
    case CL_PORTS_DEFAULT:
        /* Default mode: every base protocol script is loaded, so the set is
         * the union of all registrations plus the tunnel ports (spec 1.4). */
        for (size_t i = 0; i < sizeof analyzer_table / sizeof analyzer_table[0]; i++)
            add_regs(cfg, analyzer_table[i].ports, analyzer_table[i].n);
        add_regs(cfg, tunnel_ports, sizeof tunnel_ports / sizeof tunnel_ports[0]);
        break;
    case CL_PORTS_TUNNELS:
        add_regs(cfg, tunnel_ports, sizeof tunnel_ports / sizeof tunnel_ports[0]);
        break;
    case CL_PORTS_NONE:
    default:
        break;
    }
}

void cl_config_init(cl_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->tcp_SYN_timeout = 5;
    cfg->tcp_session_timer = 6;
    cfg->tcp_connection_linger = 5;
    cfg->tcp_attempt_delay = 5;
    cfg->tcp_close_delay = 5;
    cfg->tcp_inactivity_timeout = 300;
    cfg->udp_inactivity_timeout = 60;
    cfg->icmp_inactivity_timeout = 60;
    cfg->unknown_ip_inactivity_timeout = 60;
    cfg->frag_timeout = 300;
    cfg->max_timer_expires = 300;
    cfg->tcp_max_above_hole_without_any_acks = 16384;
    cfg->tcp_excessive_data_without_further_acks = 10485760;
    cfg->report_gaps_for_partial = false;
    cfg->ignore_checksums = false;
    cfg->private_address_space_is_local = true;
    cfg->conn_key_vlan = false;
    cfg->tunnel_max_depth = 4;
    cfg->tunnel_max_changes = 5;
    cfg->tunnel_delay_teredo = true;
    cfg->conn_size = true;
    cfg->dns_max_queries = 25;
    cfg->has_seed = false;
    cfg->seed_file = NULL;
    cfg->max_conns = 0;
    cl_config_set_ports(cfg, CL_PORTS_DEFAULT);
    strcpy(cfg->analyzers, "all");
}

/* ------------------------------------------------------------------ */
/* Analyzer selection                                                  */
/* ------------------------------------------------------------------ */

static const analyzer_ports *find_analyzer(const char *name)
{
    for (size_t i = 0; i < sizeof analyzer_table / sizeof analyzer_table[0]; i++)
        if (strcmp(analyzer_table[i].name, name) == 0)
            return &analyzer_table[i];
    return NULL;
}

int cl_config_set_analyzers(cl_config *cfg, const char *list)
{
    if (list == NULL)
        return -1;
    /* Skip surrounding blanks to decide the special words. */
    while (*list == ' ' || *list == '\t')
        list++;
    if (*list == '\0')
        return -1;
    if (strcasecmp(list, "all") == 0) {
        cl_config_set_ports(cfg, CL_PORTS_DEFAULT);
        strcpy(cfg->analyzers, "all");
        return 0;
    }
    if (strcasecmp(list, "none") == 0) {
        cl_config_set_ports(cfg, CL_PORTS_TUNNELS);
        cfg->analyzers[0] = '\0';
        return 0;
    }

    /* Normalise into a local buffer first so a failure leaves cfg as is:
     * lower case, '-' as '_', blanks dropped, empty elements dropped. */
    char norm[sizeof cfg->analyzers];
    size_t n = 0;
    const char *p = list;
    while (*p) {
        const char *start = p;
        while (*p && *p != ',')
            p++;
        char name[64];
        size_t k = 0;
        for (const char *q = start; q < p; q++) {
            unsigned char c = (unsigned char)*q;
            if (isspace(c))
                continue;
            if (k + 1 >= sizeof name)
                return -1;
            name[k++] = c == '-' ? '_' : (char)tolower(c);
        }
        name[k] = '\0';
        if (*p == ',')
            p++;
        if (k == 0)
            continue;
        if (n + k + 2 > sizeof norm)
            return -1;
        if (n > 0)
            norm[n++] = ',';
        memcpy(norm + n, name, k);
        n += k;
    }
    norm[n] = '\0';
    if (n == 0)
        return -1;

    cl_config_set_ports(cfg, CL_PORTS_TUNNELS);
    char work[sizeof norm];
    memcpy(work, norm, n + 1);
    char *save = NULL;
    for (char *tok = strtok_r(work, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        const analyzer_ports *a = find_analyzer(tok);
        if (a)
            add_regs(cfg, a->ports, a->n);
        /* Unknown names: no ports (Zeek would not load anything either). */
    }
    memcpy(cfg->analyzers, norm, n + 1);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Settings by Zeek name                                               */
/* ------------------------------------------------------------------ */

/* Parse a Zeek interval: "30", "30 secs", "5min", "1.5 hrs", "100 msec",
 * "2days", "10usecs". A bare number is seconds. */
static int parse_interval(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0 || !isfinite(v))
        return -1;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end == '\0') {
        *out = v;
        return 0;
    }
    /* Unit, optionally plural. */
    char unit[16];
    size_t k = 0;
    while (end[k] && !isspace((unsigned char)end[k])) {
        if (k + 1 >= sizeof unit)
            return -1;
        unit[k] = (char)tolower((unsigned char)end[k]);
        k++;
    }
    unit[k] = '\0';
    const char *rest = end + k;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (*rest != '\0')
        return -1;
    if (k > 1 && unit[k - 1] == 's' && strcmp(unit, "s") != 0)
        unit[--k] = '\0';
    static const struct {
        const char *name;
        double mult;
    } units[] = {
        {"usec", 1e-6}, {"msec", 1e-3}, {"sec", 1}, {"s", 1},
        {"min", 60},    {"hr", 3600},   {"hour", 3600}, {"day", 86400},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(unit, units[i].name) == 0) {
            *out = v * units[i].mult;
            return 0;
        }
    }
    return -1;
}

static int parse_count(const char *s, uint64_t *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0)
        return -1;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int parse_bool(const char *s, bool *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if ((n == 1 && (s[0] == 'T' || s[0] == '1')) ||
        (n == 4 && strncasecmp(s, "true", 4) == 0)) {
        *out = true;
        return 0;
    }
    if ((n == 1 && (s[0] == 'F' || s[0] == '0')) ||
        (n == 5 && strncasecmp(s, "false", 5) == 0)) {
        *out = false;
        return 0;
    }
    return -1;
}

typedef enum { K_INTERVAL, K_COUNT64, K_UINT, K_BOOL } kind;

typedef struct setting {
    const char *name;
    kind k;
    size_t off;
} setting;

#define S(name, k, field) {name, k, offsetof(cl_config, field)}

static const setting settings[] = {
    S("tcp_SYN_timeout", K_INTERVAL, tcp_SYN_timeout),
    S("tcp_session_timer", K_INTERVAL, tcp_session_timer),
    S("tcp_connection_linger", K_INTERVAL, tcp_connection_linger),
    S("tcp_attempt_delay", K_INTERVAL, tcp_attempt_delay),
    S("tcp_close_delay", K_INTERVAL, tcp_close_delay),
    S("tcp_inactivity_timeout", K_INTERVAL, tcp_inactivity_timeout),
    S("udp_inactivity_timeout", K_INTERVAL, udp_inactivity_timeout),
    S("icmp_inactivity_timeout", K_INTERVAL, icmp_inactivity_timeout),
    S("unknown_ip_inactivity_timeout", K_INTERVAL, unknown_ip_inactivity_timeout),
    S("frag_timeout", K_INTERVAL, frag_timeout),
    S("max_timer_expires", K_UINT, max_timer_expires),
    S("tcp_max_above_hole_without_any_acks", K_COUNT64, tcp_max_above_hole_without_any_acks),
    S("tcp_excessive_data_without_further_acks", K_COUNT64, tcp_excessive_data_without_further_acks),
    S("report_gaps_for_partial", K_BOOL, report_gaps_for_partial),
    S("ignore_checksums", K_BOOL, ignore_checksums),
    S("Tunnel::max_depth", K_UINT, tunnel_max_depth),
    S("Tunnel::max_changes_per_connection", K_UINT, tunnel_max_changes),
    S("Tunnel::delay_teredo_confirmation", K_BOOL, tunnel_delay_teredo),
    S("dns_max_queries", K_UINT, dns_max_queries),
    S("SSH::max_packet_length", K_UINT, ssh_max_packet_length),
    S("SSH::max_string_length", K_UINT, ssh_max_string_length),
    S("DPD::track_removed_services_in_connection", K_BOOL, dpd_track_removed_services),
};

int cl_config_set(cl_config *cfg, const char *name, const char *value)
{
    if (cfg == NULL || name == NULL || value == NULL)
        return -1;
    if (strcmp(name, "Analyzer::disable_all") == 0) {
        /* Disables every analyzer, ConnSize included: no packet counts and
         * no service detection (the likely server ports stay). */
        bool off;
        if (parse_bool(value, &off) != 0)
            return -1;
        cfg->conn_size = !off;
        if (off)
            cfg->analyzers[0] = '\0';
        return 0;
    }
    if (strcmp(name, "Analyzer::requested_analyzers") == 0) {
        /* A comma list of names ("http,dns"), added to those requested. */
        size_t have = strlen(cfg->requested_analyzers), n = strlen(value);
        if (n == 0 || have + 1 + n + 1 > sizeof cfg->requested_analyzers)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (!islower((unsigned char)value[i]) && !isdigit((unsigned char)value[i]) &&
                value[i] != ',' && value[i] != '_')
                return -1;
        if (have)
            cfg->requested_analyzers[have++] = ',';
        memcpy(cfg->requested_analyzers + have, value, n + 1);
        return 0;
    }
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        const setting *st = &settings[i];
        if (strcmp(st->name, name) != 0)
            continue;
        char *field = (char *)cfg + st->off;
        switch (st->k) {
        case K_INTERVAL: {
            double v;
            if (parse_interval(value, &v) != 0 || v < 0)
                return -1;
            memcpy(field, &v, sizeof v);
            return 0;
        }
        case K_COUNT64: {
            uint64_t v;
            if (parse_count(value, &v) != 0)
                return -1;
            memcpy(field, &v, sizeof v);
            return 0;
        }
        case K_UINT: {
            uint64_t v;
            if (parse_count(value, &v) != 0 || v > 0xFFFFFFFFu)
                return -1;
            unsigned u = (unsigned)v;
            memcpy(field, &u, sizeof u);
            return 0;
        }
        case K_BOOL: {
            bool b;
            if (parse_bool(value, &b) != 0)
                return -1;
            memcpy(field, &b, sizeof b);
            return 0;
        }
        }
        return -1;
    }
    return -1;
}

/* Any TCP analyzer of the table can be attached to a port; the name is
 * kept in its lower-case spelling. */
int cl_config_register_port(cl_config *cfg, const char *analyzer, uint16_t port)
{
    if (analyzer == NULL || cfg->n_analyzer_ports >= sizeof cfg->analyzer_ports /
                                                          sizeof cfg->analyzer_ports[0])
        return -1;
    if (strncasecmp(analyzer, "ANALYZER_", 9) == 0)
        analyzer += 9;
    char name[sizeof cfg->analyzer_ports[0].analyzer];
    size_t n = strlen(analyzer);
    if (n >= sizeof name)
        return -1;
    for (size_t i = 0; i <= n; i++)
        name[i] = (char)tolower((unsigned char)analyzer[i]);
    const cl_analyzer *k = cl_analyzer_find(name);
    if (!k || !(k->transport & CL_AN_TCP) || (k->flags & CL_AN_F_CHILD_ONLY))
        return -1;
    unsigned i = cfg->n_analyzer_ports++;
    strcpy(cfg->analyzer_ports[i].analyzer, name);
    cfg->analyzer_ports[i].port = port;
    return 0;
}
