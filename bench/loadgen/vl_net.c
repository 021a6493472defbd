/* vl_net.c - sockets, buffers, MQTT 3.1.1 encoding and the inbound packet parser. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vload.h"

#define RX_SIZE (1u << 20)     /* one shared receive buffer; per-connection only the carry */
#define TX_SOFT_CAP (1u << 19) /* pumps stop queuing to a connection above this */
#define MAX_EVENTS 512

static int ep = -1;
static uint8_t *rx;
static vl_conn **flush_list;
static int nflush;
static struct sockaddr_in peer;

void net_init(void)
{
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1: %s", strerror(errno));
    rx = malloc(RX_SIZE);
    flush_list = calloc((size_t)vl_nconns + 1, sizeof *flush_list);
    if (!rx || !flush_list) die("out of memory");
    peer.sin_family = AF_INET;
    peer.sin_port = htons((uint16_t)cfg.port);
    if (inet_pton(AF_INET, cfg.host, &peer.sin_addr) != 1) die("bad --host %s", cfg.host);
}

void want_out(vl_conn *c, int on)
{
    if (c->epollout == on || c->fd < 0) return;
    struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0u), .data.ptr = c };
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->epollout = (uint8_t)on;
}

size_t tx_pending(const vl_conn *c) { return c->tx_len - c->tx_head; }

/* Room for n more outbound bytes; the connection is written on the next flush. */
uint8_t *tx_grow(vl_conn *c, size_t n)
{
    /* --ws: every packet its own frame; callers write exactly one packet per call. */
    size_t wh = cfg.ws ? ws_header_len(n) : 0;
    n += wh;
    if (c->tx_head == c->tx_len) c->tx_head = c->tx_len = 0;
    if (c->tx_len + n > c->tx_cap && c->tx_head) {
        memmove(c->tx, c->tx + c->tx_head, c->tx_len - c->tx_head);
        c->tx_len -= c->tx_head;
        c->tx_head = 0;
    }
    if (c->tx_len + n > c->tx_cap) {
        size_t cap = c->tx_cap ? c->tx_cap : 128;
        while (cap < c->tx_len + n) cap <<= 1;
        c->tx = realloc(c->tx, cap);
        if (!c->tx) die("out of memory");
        c->tx_cap = cap;
    }
    uint8_t *p = c->tx + c->tx_len;
    c->tx_len += n;
    if (!c->on_flush_list) {
        c->on_flush_list = 1;
        flush_list[nflush++] = c;
    }
    if (wh) ws_frame_header(p, n - wh);
    return p + wh;
}

static void tx_put(vl_conn *c, const void *b, size_t n) { memcpy(tx_grow(c, n), b, n); }

/* Writes until the socket is full; the rest waits for EPOLLOUT. */
static void flush_one(vl_conn *c, uint64_t now)
{
    while (c->state != CS_DEAD && c->tx_head < c->tx_len) {
        ssize_t k = wire_send(c, c->tx + c->tx_head, c->tx_len - c->tx_head);
        if (k > 0) {
            c->tx_head += (size_t)k;
            c->t_tx = now;
        } else if (k < 0 && errno == EINTR) {
            continue;
        } else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            conn_kill(c, strerror(errno));
            return;
        }
    }
    if (c->state == CS_DEAD) return;
    want_out(c, c->tx_head < c->tx_len);
}

void flush_all(uint64_t now)
{
    for (int i = 0; i < nflush; i++) {
        vl_conn *c = flush_list[i];
        c->on_flush_list = 0;
        if (c->state >= CS_CONNACK && c->state != CS_DEAD) flush_one(c, now);
    }
    nflush = 0;
}

void conn_start(vl_conn *c, uint64_t now)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) die("socket: %s", strerror(errno));
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->t_open = now;
    c->state = CS_TCP;
    G.pending++;
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    c->epollout = 0;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl: %s", strerror(errno));
    if (connect(c->fd, (struct sockaddr *)&peer, sizeof peer) < 0 && errno != EINPROGRESS) {
        conn_kill(c, strerror(errno));
        return;
    }
    /* Queue CONNECT at once: on loopback the handshake is usually done by the time we flush,
     * so the connection costs no EPOLLOUT round. If not, send() says EAGAIN and the flush
     * waits for EPOLLOUT; a refused connect shows up as EPOLLERR/EPOLLHUP on the read side.
     * (The connection storm must measure the broker, not our system calls.)
     * TLS and WebSocket wait for the connection: their handshakes come first (wire_connected). */
    if (cfg.tls_ca || cfg.ws) {
        want_out(c, 1);
        return;
    }
    c->state = CS_CONNACK;
    mq_connect(c);
}

void conn_kill(vl_conn *c, const char *why)
{
    if (c->state == CS_DEAD) return;
    if (c->state != CS_READY) G.pending--;
    else G.ready--;
    G.failed++;
    set_error("connection %d: %s", c->idx, why);
    c->state = CS_DEAD;
    wire_free(c);
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
}

static int put_len(uint8_t *d, uint32_t v)
{
    int n = 0;
    do {
        d[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v) d[n] |= 0x80;
        n++;
    } while (v);
    return n;
}

/* Appends a 2-byte length and the string's bytes. */
static int put_str(uint8_t *d, const char *s, int l)
{
    d[0] = (uint8_t)(l >> 8);
    d[1] = (uint8_t)l;
    memcpy(d + 2, s, (size_t)l);
    return 2 + l;
}

/* CONNECT (3.1.1; clean session unless --persistent), with a user name and password when asked (--username). */
void mq_connect(vl_conn *c)
{
    char id[40], user[128];
    int idl = snprintf(id, sizeof id, "vl%d-%d", (int)getpid(), c->idx);
    int ul = 0, pl = 0;
    uint8_t flags = cfg.persistent && c->pub < 0 ? 0x00 : 0x02; /* --persistent: subscribers keep sessions */
    if (cfg.username) {
        ul = cfg.users > 0 ? snprintf(user, sizeof user, "%s%d", cfg.username, c->idx % cfg.users)
                           : snprintf(user, sizeof user, "%s", cfg.username);
        flags |= 0x80;
    }
    if (cfg.password) pl = (int)strlen(cfg.password), flags |= 0x40;
    uint8_t p[320];
    int n = 0;
    p[n++] = 0x10;
    n += put_len(p + n, (uint32_t)(10 + 2 + idl + (ul ? 2 + ul : 0) + (cfg.password ? 2 + pl : 0)));
    const uint8_t vh[10] = { 0, 4, 'M', 'Q', 'T', 'T', 4, flags,
                             (uint8_t)(cfg.keepalive >> 8), (uint8_t)cfg.keepalive };
    memcpy(p + n, vh, 10);
    n += 10;
    n += put_str(p + n, id, idl);
    if (cfg.username) n += put_str(p + n, user, ul);
    if (cfg.password) n += put_str(p + n, cfg.password, pl);
    tx_put(c, p, (size_t)n);
}

/* One SUBSCRIBE per filter (pipelined), packet ids 1..n, so the broker sees plain packets. */
void mq_subscribe(vl_conn *c, int first, int n, int qos)
{
    for (int i = 0; i < n; i++) {
        const char *f = vl_filters[first + i];
        size_t fl = strlen(f);
        uint8_t h[9];
        int k = 0;
        uint16_t pid = (uint16_t)(i % 65535 + 1);
        h[k++] = 0x82;
        k += put_len(h + k, (uint32_t)(2 + 2 + fl + 1));
        h[k++] = (uint8_t)(pid >> 8);
        h[k++] = (uint8_t)pid;
        h[k++] = (uint8_t)(fl >> 8);
        h[k++] = (uint8_t)fl;
        uint8_t *d = tx_grow(c, (size_t)k + fl + 1);
        memcpy(d, h, (size_t)k);
        memcpy(d + k, f, fl);
        d[k + fl] = (uint8_t)qos;
    }
    c->subacks_due += n;
}

void mq_tiny(vl_conn *c, uint8_t type)
{
    uint8_t p[2] = { type, 0 };
    tx_put(c, p, 2);
}

void tmpl_make(vl_tmpl *t, const char *topic, int qos, int retain, int payload, uint32_t key)
{
    size_t tl = strlen(topic);
    uint32_t rl = (uint32_t)(2 + tl + (qos ? 2 : 0) + (size_t)payload);
    uint8_t h[5];
    int hl = 0;
    h[hl++] = (uint8_t)(0x30 | (qos << 1) | (retain ? 1 : 0));
    hl += put_len(h + hl, rl);
    t->len = (uint32_t)hl + rl;
    t->bytes = malloc(t->len);
    if (!t->bytes) die("out of memory");
    uint8_t *p = t->bytes;
    memcpy(p, h, (size_t)hl);
    p += hl;
    *p++ = (uint8_t)(tl >> 8);
    *p++ = (uint8_t)tl;
    memcpy(p, topic, tl);
    p += tl;
    t->pid_at = 0;
    if (qos) {
        t->pid_at = (uint32_t)(p - t->bytes);
        *p++ = 0;
        *p++ = 1;
    }
    t->stamp_at = (uint32_t)(p - t->bytes);
    for (int i = 0; i < payload; i++) p[i] = (uint8_t)('0' + i % 64);
    t->key = key;
}

static void on_packet(vl_conn *c, uint8_t h, const uint8_t *b, uint32_t len, uint64_t now)
{
    switch (h >> 4) {
    case 2: /* CONNACK: session-present, return code */
        if (c->state != CS_CONNACK) return;
        if (len < 2 || b[1] != 0) conn_kill(c, "CONNACK refused");
        else on_connack(c, now);
        return;
    case 3: on_publish(c, h & 15, b, len, now); return;
    case 4: on_puback(c, b, len, now); return;
    case 9: /* SUBACK: packet id, return codes */
        if (len >= 3 && b[2] == 0x80) conn_kill(c, "SUBACK failure");
        else on_suback(c, now);
        return;
    case 13: G.pingresp++; return;
    default: return;
    }
}

/* One recv per readiness event into the shared buffer, then every complete packet. */
static int read_once(vl_conn *c, uint64_t now);

/* Plain TCP: one recv per readiness event. TLS: read until OpenSSL has nothing buffered (epoll
 * cannot see bytes already decrypted), bounded so one connection cannot starve the rest. */
static void on_readable(vl_conn *c, uint64_t now)
{
    for (int i = 0; i < 64 && read_once(c, now) && c->ssl; i++) {}
}

/* One read and every complete packet in it; 0 when nothing more is to be read now. */
static int read_once(vl_conn *c, uint64_t now)
{
    uint32_t have = c->carry_len;
    if (have) memcpy(rx, c->carry, have);
    ssize_t k = wire_recv(c, rx + have, RX_SIZE - have);
    if (k == 0) { conn_kill(c, "closed by broker"); return 0; }
    if (k < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) conn_kill(c, strerror(errno));
        return 0;
    }
    if (cfg.ws) {
        k = (ssize_t)ws_deframe(c, rx + have, (size_t)k);
        if (c->state == CS_DEAD) return 0;
    }
    /* A reader that sends nothing back at once (QoS 0 subscribers; publishers waiting for
     * their window) would leave the broker's next small write waiting on our delayed ACK
     * when the broker uses Nagle: 40 ms stalls. QoS 1 subscribers ACK with their PUBACKs.
     * The kernel clears the flag after use, hence re-armed per read. */
    if (cfg.quickack && (is_flow() || cfg.scenario == VS_RETAINED) && (!cfg.qos || c->pub >= 0)) {
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    }
    size_t end = have + (size_t)k, at = 0;
    while (end - at >= 2 && c->state != CS_DEAD) {
        uint32_t len = 0;
        size_t i = 1;
        int shift = 0, done = 0;
        while (at + i < end && i <= 4) {
            uint8_t byte = rx[at + i++];
            len |= (uint32_t)(byte & 0x7f) << shift;
            shift += 7;
            if (!(byte & 0x80)) { done = 1; break; }
        }
        if (!done) {
            if (i > 4) { conn_kill(c, "malformed remaining length"); return 0; }
            break;
        }
        if (end - at - i < len) break;
        on_packet(c, rx[at], rx + at + i, len, now);
        at += i + len;
    }
    if (c->state == CS_DEAD) return 0;
    c->carry_len = (uint32_t)(end - at);
    if (c->carry_len) {
        if (c->carry_len > RX_SIZE / 2) { conn_kill(c, "inbound packet too large"); return 0; }
        if (c->carry_len > c->carry_cap) {
            c->carry_cap = c->carry_len < 256 ? 256 : c->carry_len;
            c->carry = realloc(c->carry, c->carry_cap);
            if (!c->carry) die("out of memory");
        }
        memcpy(c->carry, rx + at, c->carry_len);
    }
    return 1;
}

static void on_event(vl_conn *c, uint32_t ev, uint64_t now)
{
    if (c->state == CS_DEAD) return;
    if (c->state == CS_TCP) {
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err) { conn_kill(c, strerror(err)); return; }
        if (!(ev & EPOLLOUT)) return;
        if (cfg.tls_ca || cfg.ws) { wire_connected(c); return; }
        c->state = CS_CONNACK;
        mq_connect(c);
        return;
    }
    if (c->state == CS_TLS || c->state == CS_WS) {
        if (ev & (EPOLLHUP | EPOLLERR) && !(ev & EPOLLIN)) { conn_kill(c, "closed during handshake"); return; }
        wire_event(c);
        return;
    }
    if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c, now);
    if ((ev & EPOLLOUT) && c->state != CS_DEAD) flush_one(c, now);
}

/* Waits for events until wake_ns (CLOCK_MONOTONIC), handles them, and flushes. */
void net_wait(uint64_t wake_ns, uint64_t now)
{
    struct epoll_event evs[MAX_EVENTS];
    struct timespec ts = { 0, 0 };
    if (wake_ns > now) {
        ts.tv_sec = (time_t)((wake_ns - now) / 1000000000ull);
        ts.tv_nsec = (long)((wake_ns - now) % 1000000000ull);
    }
    int n = epoll_pwait2(ep, evs, MAX_EVENTS, &ts, NULL);
    if (n < 0 && errno != EINTR) die("epoll_pwait2: %s", strerror(errno));
    now = vl_now();
    for (int i = 0; i < n; i++) on_event(evs[i].data.ptr, evs[i].events, now);
}

/* DISCONNECT, then close with an RST (linger 0): thousands of benchmark sockets must not
 * sit in TIME_WAIT and exhaust local ports for the next run. */
void net_close_all(void)
{
    uint64_t now = vl_now();
    for (int i = 0; i < vl_nconns; i++) {
        vl_conn *c = &vl_conns[i];
        if (c->state != CS_READY) continue;
        c->tx_head = c->tx_len = 0;
        mq_tiny(c, 0xE0);
    }
    flush_all(now);
    struct linger lg = { 1, 0 };
    for (int i = 0; i < vl_nconns; i++) {
        if (vl_conns[i].fd < 0) continue;
        setsockopt(vl_conns[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(vl_conns[i].fd);
        vl_conns[i].fd = -1;
    }
}

int vl_tx_soft_cap(void) { return (int)TX_SOFT_CAP; }
