/*
 * vload - Vireo's MQTT 3.1.1 load generator (C, epoll, one process, pre-encoded packets).
 *
 * Files:
 *   vload.c     options, the event loop, the JSON report
 *   vl_net.c    sockets, per-connection buffers, MQTT encoding and the inbound parser
 *   vl_run.c    scenarios: who connects, who subscribes to what, publish pumps, phases
 *   vl_stat.c   latency histogram, /proc readers (CPU time, VmRSS)
 *   vl_wire.c   optional TLS (OpenSSL) and WebSocket framing between the socket and MQTT
 *
 * Payload stamp (first 16 bytes of every benchmark payload, host byte order):
 *   +0  u64  scheduled send time, CLOCK_MONOTONIC ns (open loop: the schedule, not the write,
 *            so a late write counts against the broker path and latency is not under-reported)
 *   +8  u32  publisher index
 *   +12 u32  key: sequence number (fanin/fanout/pair) or target subscriber (wildcard)
 */
#ifndef VLOAD_H
#define VLOAD_H
#include <stddef.h>
#include <stdint.h>

enum vl_scenario { VS_FANIN, VS_FANOUT, VS_PAIR, VS_WILDCARD, VS_CONN, VS_IDLE, VS_RETAINED };
enum vl_state { CS_NEW, CS_TCP, CS_TLS, CS_WS, CS_CONNACK, CS_SUBACK, CS_READY, CS_DEAD };
enum vl_phase { PH_SETUP, PH_WARM, PH_MEASURE, PH_DRAIN, PH_HOLD, PH_RET_PUB, PH_RET_SYNC,
                PH_RET_SUB, PH_END };

/* One pre-encoded PUBLISH; a send copies it and patches packet id and stamp. */
typedef struct {
    uint8_t *bytes;
    uint32_t len;
    uint32_t pid_at;   /* offset of the packet identifier (QoS 1), else 0 */
    uint32_t stamp_at; /* offset of the 16-byte payload stamp */
    uint32_t key;      /* stamp key for keyed scenarios (wildcard, retained) */
} vl_tmpl;

typedef struct vl_conn {
    int fd, idx;
    uint8_t state, epollout, on_flush_list;
    int pub;               /* index into vl_pubs, or -1 */
    int filt_first, nfilt; /* subscription filters [first, first+n) of vl_filters */
    int subacks_due;
    uint8_t *carry;        /* bytes of an incomplete inbound packet */
    uint32_t carry_len, carry_cap;
    uint8_t *tx;           /* outbound bytes [tx_head, tx_len) */
    size_t tx_head, tx_len, tx_cap;
    uint64_t t_open, t_tx;
    uint64_t received;
    void *ssl;             /* SSL * with --tls-ca, else NULL */
    uint64_t ws_left;      /* --ws: payload bytes left in the current server frame */
    uint8_t ws_hdr[10], ws_hlen, ws_control;
} vl_conn;

typedef struct {
    int conn;
    uint32_t id;
    vl_tmpl *tmpl;
    uint32_t ntmpl, next_tmpl;
    uint64_t sent, acked, delivered, written_off;
    uint64_t limit;          /* stop after this many messages */
    uint64_t last_done, t_progress;
    uint64_t due, period;    /* open loop schedule */
    uint64_t *sent_at;       /* QoS 1: send time (or open-loop schedule) by packet id, for ack latency */
} vl_pub;

typedef struct {
    uint64_t t;
    uint64_t sent, received, acked;
    double self_cpu, broker_cpu;   /* seconds, user + system */
    double self_user, broker_user; /* seconds, user mode only */
    double all_user;               /* seconds of user mode on every CPU (/proc/stat) */
} vl_snap;

/* Log-linear histogram: 32 sub-buckets per power of two (about 3 % resolution). */
#define HIST_SUB_BITS 5
#define HIST_SLOTS (64 << HIST_SUB_BITS)
typedef struct {
    uint64_t slot[HIST_SLOTS];
    uint64_t n, max;
} vl_hist;

typedef struct {
    const char *host, *prefix, *label;
    int port, scenario, pubs, subs, filters, conns, qos, payload, window, conn_window;
    int keepalive, quickack, broker_pid;
    double duration, warmup, drain, hold, max_time, rate, stall_s, idle_s;
    uint64_t retained;
    const char *tls_ca;   /* --tls-ca FILE: speak TLS, verify the broker against FILE */
    int ws;               /* --ws: MQTT over WebSocket (path /mqtt, subprotocol mqtt) */
    const char *username; /* --username NAME: CONNECT carries a user name (NAME<i % users> with --users) */
    const char *password; /* --password PW: and this password */
    int users;            /* --users N: connection i logs in as NAME<i % N> (0: NAME itself) */
    int persistent;       /* --persistent: subscribers connect with clean session 0 */
} vl_config;

extern vl_config cfg;
extern vl_conn *vl_conns;
extern int vl_nconns;
extern vl_pub *vl_pubs;
extern int vl_npubs;
extern char **vl_filters;
extern int vl_nfilters;
extern int vl_fanout;   /* deliveries expected per published message */

/* Run-wide counters and phase. */
typedef struct {
    int phase;
    int opened, pending, ready, failed;
    uint64_t t_begin, t_ready, t_phase_end, deadline, t_last_progress;
    uint64_t received, acked, foreign, misrouted, written_off, stalls, late;
    uint64_t ret_got, ret_other, t_ret_pub0, t_ret_pub1, t_ret_sub, t_ret_last, pingresp;
    long rss0_kib, rss1_kib;
    vl_hist lat, connack, ack; /* ack: publisher PUBLISH -> PUBACK (QoS 1) */
    vl_snap s0, s1;
    int have_s0, have_s1;
    char error[200];
} vl_state_t;
extern vl_state_t G;

/* vl_stat.c */
uint64_t vl_now(void);
void hist_add(vl_hist *h, uint64_t v);
uint64_t hist_q(const vl_hist *h, double q);
double proc_cpu_s(int pid, double *user);
double self_cpu_s(double *user);
long proc_kib(int pid, const char *field);
void vl_snapshot(vl_snap *s, uint64_t now);

/* vl_net.c */
void net_init(void);
void conn_start(vl_conn *c, uint64_t now);
void conn_kill(vl_conn *c, const char *why);
uint8_t *tx_grow(vl_conn *c, size_t n);
size_t tx_pending(const vl_conn *c);
void flush_all(uint64_t now);
void net_wait(uint64_t wake_ns, uint64_t now);
void mq_connect(vl_conn *c);
void mq_subscribe(vl_conn *c, int first, int n, int qos);
void mq_tiny(vl_conn *c, uint8_t type);
void tmpl_make(vl_tmpl *t, const char *topic, int qos, int retain, int payload, uint32_t key);
void net_close_all(void);
void want_out(vl_conn *c, int on);

/* vl_wire.c */
#include <sys/types.h>
void wire_init(void);
void wire_connected(vl_conn *c);
void wire_event(vl_conn *c);
void wire_free(vl_conn *c);
ssize_t wire_send(vl_conn *c, const uint8_t *b, size_t n);
ssize_t wire_recv(vl_conn *c, uint8_t *b, size_t n);
size_t ws_header_len(size_t n);
void ws_frame_header(uint8_t *h, size_t n);
size_t ws_deframe(vl_conn *c, uint8_t *b, size_t n);

/* vl_run.c */
void run_setup(void);
void run_tick(uint64_t now);
void run_pump(uint64_t now);
uint64_t run_wake(uint64_t now);
void on_connack(vl_conn *c, uint64_t now);
void on_suback(vl_conn *c, uint64_t now);
void on_publish(vl_conn *c, uint8_t flags, const uint8_t *body, uint32_t len, uint64_t now);
void on_puback(vl_conn *c, const uint8_t *body, uint32_t len, uint64_t now);
int is_flow(void);
void set_error(const char *fmt, ...);
void die(const char *fmt, ...);

#endif
