/*
 * vload.c - options, the event loop and the JSON report of Vireo's load generator.
 *
 *   cc -O2 -o bench/bin/vload bench/loadgen/vload.c bench/loadgen/vl_*.c
 *   taskset -c 1 bench/bin/vload --port 1883 --scenario fanin --qos 1 --payload 256 --pid PID
 *
 * Scenarios: fanin (P publishers -> 1 subscriber on PREFIX/in/+), fanout (1 -> S on one topic),
 * pair (N publisher/subscriber pairs), wildcard (F distinct '+'/'#' filters spread over S
 * subscribers, P publishers cycling over the F topics, each matching exactly one filter),
 * conn (C connections, at most --conn-window handshakes pending: time to the last CONNACK),
 * idle (hold C connections: broker VmRSS delta per connection), retained (publish R retained
 * messages, then a '#' subscriber: time until all arrive, how many never do).
 * Flow scenarios run closed loop (at most --window messages in flight per publisher; a message
 * is in flight until every expected subscriber got it and, at QoS 1, it was acked) or, with
 * --rate, open loop at a fixed total rate for latency. See vload.h for the payload stamp.
 * Output: one JSON object on stdout. Every phase is bounded; --max-time bounds the whole run.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "vload.h"

vl_config cfg = {
    .host = "127.0.0.1", .prefix = "vl", .label = "", .port = 1883, .scenario = VS_FANIN,
    .pubs = -1, .subs = -1, .filters = -1, .conns = 10000, .qos = 0, .payload = 16,
    .window = 64, .conn_window = 100, .keepalive = 600, .quickack = 1,
    .broker_pid = 0, .duration = 5, .warmup = 1, .drain = 3, .hold = 2, .max_time = 120,
    .rate = 0, .stall_s = 1, .retained = 100000,
};

static const char *scen_names[] = { "fanin", "fanout", "pair", "wildcard", "conn", "idle",
                                    "retained" };

void die(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    fputs("vload: ", stderr);
    vfprintf(stderr, f, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

void set_error(const char *f, ...)
{
    if (G.error[0]) return;
    va_list ap;
    va_start(ap, f);
    vsnprintf(G.error, sizeof G.error, f, ap);
    va_end(ap);
}

static void usage(void)
{
    fprintf(stderr,
        "usage: vload [options]\n"
        "  --host IP (127.0.0.1) --port N (1883) --pid BROKER_PID (CPU and RSS from /proc)\n"
        "  --scenario fanin|fanout|pair|wildcard|conn|idle|retained (fanin)\n"
        "  --pubs P --subs S --filters F   fanin P=10; fanout S=100; pair N=50;\n"
        "                                  wildcard F=10000 filters over S=100 subs, P=10 pubs\n"
        "  --conns C (10000) --conn-window N (100) --hold S (2)      conn / idle\n"
        "  --retained R (100000)                                      retained\n"
        "  --qos 0|1 --payload BYTES (16, >= 16 for the stamp)\n"
        "  --duration S (5) --warmup S (1) --drain S (3) --max-time S (120)\n"
        "  --window W (64)  closed-loop in-flight per publisher; retained QoS 1 window\n"
        "  --rate R         open loop at R msgs/s in total (latency)\n"
        "  --stall S (1)    closed loop: write off a window stuck this long\n"
        "  --prefix STR (vl) --label STR --no-quickack\n"
        "  --tls-ca FILE    MQTT over TLS, the broker's certificate verified against FILE\n"
        "  --ws             MQTT over WebSocket (GET /mqtt, subprotocol mqtt; with --tls-ca: wss)\n"
        "  --username NAME --password PW   log in (CONNECT user name / password)\n"
        "  --users N        connection i logs in as NAME<i %% N> (user0, user1, ... with NAME=user)\n"

        "  --persistent     subscribers connect with clean session 0 (durable sessions)\n");
    exit(2);
}

static void parse(int argc, char **argv)
{
    static const struct option o[] = {
        { "host", 1, 0, 'H' }, { "port", 1, 0, 'p' }, { "pid", 1, 0, 'i' },
        { "scenario", 1, 0, 's' }, { "pubs", 1, 0, 'P' }, { "subs", 1, 0, 'S' },
        { "filters", 1, 0, 'F' }, { "conns", 1, 0, 'C' }, { "conn-window", 1, 0, 'c' },
        { "hold", 1, 0, 'h' }, { "retained", 1, 0, 'R' }, { "qos", 1, 0, 'q' },
        { "payload", 1, 0, 'l' }, { "duration", 1, 0, 'd' }, { "warmup", 1, 0, 'w' },
        { "drain", 1, 0, 'D' }, { "max-time", 1, 0, 'm' }, { "window", 1, 0, 'W' },
        { "rate", 1, 0, 'r' }, { "stall", 1, 0, 'T' }, { "prefix", 1, 0, 'x' },
        { "label", 1, 0, 'L' }, { "no-quickack", 0, 0, 'A' },
        { "tls-ca", 1, 0, 'K' }, { "ws", 0, 0, 'B' },
        { "username", 1, 0, 'u' }, { "password", 1, 0, 'k' }, { "users", 1, 0, 'U' },
        { "persistent", 0, 0, 'N' },
        { 0, 0, 0, 0 },
    };
    int k;
    while ((k = getopt_long(argc, argv, "", o, NULL)) != -1) {
        switch (k) {
        case 'H': cfg.host = optarg; break;
        case 'p': cfg.port = atoi(optarg); break;
        case 'i': cfg.broker_pid = atoi(optarg); break;
        case 's':
            cfg.scenario = -1;
            for (int i = 0; i < 7; i++)
                if (!strcmp(optarg, scen_names[i])) cfg.scenario = i;
            if (cfg.scenario < 0) usage();
            break;
        case 'P': cfg.pubs = atoi(optarg); break;
        case 'S': cfg.subs = atoi(optarg); break;
        case 'F': cfg.filters = atoi(optarg); break;
        case 'C': cfg.conns = atoi(optarg); break;
        case 'c': cfg.conn_window = atoi(optarg); break;
        case 'h': cfg.hold = atof(optarg); break;
        case 'R': cfg.retained = strtoull(optarg, NULL, 10); break;
        case 'q': cfg.qos = atoi(optarg); break;
        case 'l': cfg.payload = atoi(optarg); break;
        case 'd': cfg.duration = atof(optarg); break;
        case 'w': cfg.warmup = atof(optarg); break;
        case 'D': cfg.drain = atof(optarg); break;
        case 'm': cfg.max_time = atof(optarg); break;
        case 'W': cfg.window = atoi(optarg); break;
        case 'r': cfg.rate = atof(optarg); break;
        case 'T': cfg.stall_s = atof(optarg); break;
        case 'x': cfg.prefix = optarg; break;
        case 'L': cfg.label = optarg; break;
        case 'K': cfg.tls_ca = optarg; break;
        case 'B': cfg.ws = 1; break;
        case 'u': cfg.username = optarg; break;
        case 'k': cfg.password = optarg; break;
        case 'U': cfg.users = atoi(optarg); break;
        case 'N': cfg.persistent = 1; break;
        case 'A': cfg.quickack = 0; break;
        default: usage();
        }
    }
    if (cfg.qos < 0 || cfg.qos > 1) die("--qos must be 0 or 1");
    if (cfg.payload < 16 && cfg.scenario != VS_RETAINED) die("--payload must be >= 16");
    if (cfg.window < 1) cfg.window = 1;
    if (cfg.window > 60000) cfg.window = 60000; /* packet ids must stay unique in flight */
    if (cfg.conn_window < 1) cfg.conn_window = 1;
    if (cfg.password && !cfg.username) die("--password needs --username");
    if (cfg.username && strlen(cfg.username) > 100) die("--username: at most 100 bytes");
    if (cfg.password && strlen(cfg.password) > 100) die("--password: at most 100 bytes");
    if (cfg.max_time > 300) cfg.max_time = 300; /* below --keepalive: no PINGREQ needed */
}

static double pct(double part, double secs) { return secs > 0 ? 100.0 * part / secs : -1; }

static void report(void)
{
    const vl_snap *a = &G.s0, *b = &G.s1;
    int both = G.have_s0 && G.have_s1;
    double secs = both ? (double)(b->t - a->t) / 1e9 : 0;
    uint64_t sent = 0;
    for (int i = 0; i < vl_npubs; i++) sent += vl_pubs[i].sent;
    printf("{\"tool\":\"vload\",\"label\":\"%s\",\"scenario\":\"%s\",\"qos\":%d,\"payload\":%d,"
           "\"conns\":%d,\"pubs\":%d,\"filters\":%d,\"mode\":\"%s\",\"rate\":%.0f,\"window\":%d,",
           cfg.label, scen_names[cfg.scenario], cfg.qos, cfg.payload, vl_nconns, vl_npubs,
           vl_nfilters, cfg.rate > 0 ? "open" : "closed", cfg.rate, cfg.window);
    printf("\"ok\":%s,\"error\":\"%s\",\"conn_failed\":%d,\"measured_s\":%.3f,",
           G.error[0] ? "false" : "true", G.error, G.failed, secs);
    if (is_flow()) {
        uint64_t expect = sent * (uint64_t)vl_fanout;
        double dr = both ? (double)(b->received - a->received) / secs : 0;
        double pr = both ? (double)(b->sent - a->sent) / secs : 0;
        printf("\"pub_rate\":%.1f,\"deliv_rate\":%.1f,\"sent\":%llu,\"received\":%llu,"
               "\"lost\":%lld,\"written_off\":%llu,\"stalls\":%llu,\"misrouted\":%llu,"
               "\"foreign\":%llu,\"late_sends\":%llu,",
               pr, dr, (unsigned long long)sent, (unsigned long long)G.received,
               (long long)(expect - G.received), (unsigned long long)G.written_off,
               (unsigned long long)G.stalls, (unsigned long long)G.misrouted,
               (unsigned long long)G.foreign, (unsigned long long)G.late);
        printf("\"lat_n\":%llu,\"lat_p50_us\":%.1f,\"lat_p90_us\":%.1f,\"lat_p99_us\":%.1f,"
               "\"lat_max_us\":%.1f,",
               (unsigned long long)G.lat.n, hist_q(&G.lat, 0.5) / 1e3, hist_q(&G.lat, 0.9) / 1e3,
               hist_q(&G.lat, 0.99) / 1e3, G.lat.max / 1e3);
        if (cfg.qos)
            printf("\"ack_n\":%llu,\"ack_p50_us\":%.1f,\"ack_p99_us\":%.1f,",
                   (unsigned long long)G.ack.n, hist_q(&G.ack, 0.5) / 1e3, hist_q(&G.ack, 0.99) / 1e3);
    }
    if (cfg.scenario == VS_CONN || cfg.scenario == VS_IDLE) {
        double t = G.t_ready ? (double)(G.t_ready - G.t_begin) / 1e9 : -1;
        printf("\"connected\":%d,\"conn_time_s\":%.3f,\"conn_rate\":%.0f,"
               "\"connack_p50_us\":%.1f,\"connack_p99_us\":%.1f,",
               G.ready, t, t > 0 ? G.ready / t : 0, hist_q(&G.connack, 0.5) / 1e3,
               hist_q(&G.connack, 0.99) / 1e3);
    }
    if (cfg.scenario == VS_IDLE)
        printf("\"rss_before_kib\":%ld,\"rss_after_kib\":%ld,\"kib_per_conn\":%.2f,",
               G.rss0_kib, G.rss1_kib,
               G.rss1_kib > 0 && G.ready ? (double)(G.rss1_kib - G.rss0_kib) / G.ready : -1);
    if (cfg.scenario == VS_RETAINED) {
        double pub_s = G.t_ret_pub1 ? (double)(G.t_ret_pub1 - G.t_ret_pub0) / 1e9 : -1;
        double all_s = G.t_ret_last && G.t_ret_sub ? (double)(G.t_ret_last - G.t_ret_sub) / 1e9
                                                   : -1;
        printf("\"retained\":%llu,\"sent\":%llu,\"received\":%llu,\"lost\":%lld,"
               "\"non_retained\":%llu,\"ret_publish_s\":%.3f,\"ret_all_s\":%.3f,\"ret_rate\":%.0f,",
               (unsigned long long)cfg.retained, (unsigned long long)sent,
               (unsigned long long)G.ret_got, (long long)(cfg.retained - G.ret_got),
               (unsigned long long)G.ret_other, pub_s, all_s, all_s > 0 ? G.ret_got / all_s : 0);
    }
    double bc = both && a->broker_cpu >= 0 && b->broker_cpu >= 0 ? b->broker_cpu - a->broker_cpu
                                                                  : -1;
    /* Other processes' user-mode CPU during the window, % of one core: a noise check
     * (kernel time is left out: loopback TCP work lands in softirq, hard to attribute). */
    double other = -1;
    if (bc >= 0 && a->all_user >= 0 && b->all_user >= 0 && secs > 0) {
        other = pct((b->all_user - a->all_user) - (b->self_user - a->self_user) -
                    (b->broker_user - a->broker_user), secs);
        if (other < 0) other = 0; /* clock-tick rounding */
    }
    /* loadgen_user_pct: our own code; the rest of loadgen_cpu_pct is kernel time, which on
     * loopback includes TCP work done on behalf of both ends (SYN handling in conn storms). */
    printf("\"broker_cpu_pct\":%.1f,\"loadgen_cpu_pct\":%.1f,\"loadgen_user_pct\":%.1f,"
           "\"other_user_pct\":%.1f,\"broker_rss_kib\":%ld}\n",
           bc >= 0 ? pct(bc, secs) : -1, both ? pct(b->self_cpu - a->self_cpu, secs) : -1,
           both ? pct(b->self_user - a->self_user, secs) : -1,
           other, proc_kib(cfg.broker_pid, "VmRSS"));
    fflush(stdout);
}

int main(int argc, char **argv)
{
    parse(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0); /* open-loop sends need fine wake-ups */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    run_setup();
    if ((rlim_t)vl_nconns + 32 > rl.rlim_cur)
        die("%d connections need more file descriptors (ulimit -n %ld)", vl_nconns,
            (long)rl.rlim_cur);
    net_init();
    wire_init();
    G.rss0_kib = proc_kib(cfg.broker_pid, "VmRSS");
    G.t_begin = vl_now();
    G.deadline = G.t_begin + (uint64_t)(cfg.max_time * 1e9);
    G.phase = PH_SETUP;
    if (cfg.scenario == VS_CONN || cfg.scenario == VS_IDLE) {
        vl_snapshot(&G.s0, G.t_begin);
        G.have_s0 = 1;
    }
    for (;;) {
        uint64_t now = vl_now();
        run_tick(now);
        if (G.phase == PH_END) break;
        run_pump(now);
        flush_all(now);
        net_wait(run_wake(now), vl_now());
        now = vl_now();
        run_pump(now);
        flush_all(now);
    }
    report();
    net_close_all();
    return G.error[0] ? 1 : 0;
}
