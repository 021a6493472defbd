/* vl_run.c - scenarios: connections and their roles, inbound callbacks, publish pumps, phases. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vload.h"

vl_conn *vl_conns;
int vl_nconns;
vl_pub *vl_pubs;
int vl_npubs;
char **vl_filters;
int vl_nfilters;
int vl_fanout = 1;
vl_state_t G;

int vl_tx_soft_cap(void);

int is_flow(void)
{
    return cfg.scenario <= VS_WILDCARD;
}

static char *fmt(const char *f, ...)
{
    char b[256];
    va_list ap;
    va_start(ap, f);
    vsnprintf(b, sizeof b, f, ap);
    va_end(ap);
    char *s = strdup(b);
    if (!s) die("out of memory");
    return s;
}

/* Wildcard scenario: filter k and the one topic it (alone among all filters) matches. */
static void wild_pair(int k, char **filter, char *topic, size_t tsz)
{
    const char *p = cfg.prefix;
    switch (k % 4) {
    case 0: *filter = fmt("%s/w/%d/+/t", p, k); snprintf(topic, tsz, "%s/w/%d/x/t", p, k); break;
    case 1: *filter = fmt("%s/w/%d/#", p, k); snprintf(topic, tsz, "%s/w/%d/x/t", p, k); break;
    case 2: *filter = fmt("%s/w/+/%d/t", p, k); snprintf(topic, tsz, "%s/w/a/%d/t", p, k); break;
    default: *filter = fmt("+/v/%d/#", k); snprintf(topic, tsz, "%s/v/%d/z", p, k); break;
    }
}

static vl_pub *add_pub(int conn, int id, uint32_t ntmpl)
{
    vl_pub *p = &vl_pubs[id];
    p->conn = conn;
    p->id = (uint32_t)id;
    p->ntmpl = ntmpl;
    p->tmpl = calloc(ntmpl ? ntmpl : 1, sizeof(vl_tmpl));
    if (!p->tmpl) die("out of memory");
    p->limit = UINT64_MAX;
    vl_conns[conn].pub = id;
    return p;
}

/* Subscribers are connections [0, S), publishers [S, S + P). */
void run_setup(void)
{
    int S = 0, P = 0, F = 0;
    switch (cfg.scenario) {
    case VS_FANIN: P = cfg.pubs > 0 ? cfg.pubs : 10; S = 1; F = 1; break;
    case VS_FANOUT: P = 1; S = cfg.subs > 0 ? cfg.subs : 100; F = S; break;
    case VS_PAIR: P = S = F = cfg.pubs > 0 ? cfg.pubs : (cfg.subs > 0 ? cfg.subs : 50); break;
    case VS_WILDCARD:
        P = cfg.pubs > 0 ? cfg.pubs : 10;
        S = cfg.subs > 0 ? cfg.subs : 100;
        F = cfg.filters > 0 ? cfg.filters : 10000;
        if (F < S) F = S;
        break;
    case VS_RETAINED: P = 1; S = 1; F = 1; break;
    default: S = 0; P = 0; break;
    }
    vl_nconns = (cfg.scenario == VS_CONN || cfg.scenario == VS_IDLE) ? cfg.conns : S + P;
    vl_npubs = P;
    vl_nfilters = F;
    vl_fanout = cfg.scenario == VS_FANOUT ? S : 1;
    vl_conns = calloc((size_t)vl_nconns + 1, sizeof(vl_conn));
    vl_pubs = calloc((size_t)P + 1, sizeof(vl_pub));
    vl_filters = calloc((size_t)F + 1, sizeof(char *));
    if (!vl_conns || !vl_pubs || !vl_filters) die("out of memory");
    for (int i = 0; cfg.qos && i < P; i++)
        if (!(vl_pubs[i].sent_at = calloc(65536, sizeof(uint64_t)))) die("out of memory");
    for (int i = 0; i < vl_nconns; i++) {
        vl_conns[i].idx = i;
        vl_conns[i].fd = -1;
        vl_conns[i].pub = -1;
    }
    char topic[256];
    const char *pre = cfg.prefix;
    if (cfg.scenario == VS_WILDCARD) {
        char **wt = calloc((size_t)F, sizeof(char *));
        if (!wt) die("out of memory");
        for (int k = 0; k < F; k++) {
            wild_pair(k, &vl_filters[k], topic, sizeof topic);
            wt[k] = strdup(topic);
        }
        for (int i = 0; i < S; i++) { /* contiguous blocks of filters per subscriber */
            vl_conns[i].filt_first = (int)((long)i * F / S);
            vl_conns[i].nfilt = (int)((long)(i + 1) * F / S) - vl_conns[i].filt_first;
        }
        for (int j = 0; j < P; j++) { /* publisher j owns topics j, j+P, j+2P, ... */
            uint32_t n = (uint32_t)((F - j + P - 1) / P);
            vl_pub *p = add_pub(S + j, j, n);
            for (uint32_t t = 0; t < n; t++) {
                int k = j + (int)t * P;
                tmpl_make(&p->tmpl[t], wt[k], cfg.qos, 0, cfg.payload, (uint32_t)k);
            }
        }
        for (int k = 0; k < F; k++) free(wt[k]);
        free(wt);
        return;
    }
    for (int i = 0; i < S; i++) {
        switch (cfg.scenario) {
        case VS_FANIN: vl_filters[i] = fmt("%s/in/+", pre); break;
        case VS_FANOUT: vl_filters[i] = fmt("%s/out", pre); break;
        case VS_PAIR: vl_filters[i] = fmt("%s/pair/%d", pre, i); break;
        default: vl_filters[i] = fmt("#"); break; /* retained: subscribed after publishing */
        }
        vl_conns[i].filt_first = i;
        vl_conns[i].nfilt = 1;
    }
    for (int j = 0; j < P; j++) {
        if (cfg.scenario == VS_RETAINED) {
            vl_pub *p = add_pub(S + j, j, (uint32_t)cfg.retained);
            for (uint64_t t = 0; t < cfg.retained; t++) {
                snprintf(topic, sizeof topic, "%s/ret/%llu/%llu", pre,
                         (unsigned long long)(t / 1000), (unsigned long long)(t % 1000));
                tmpl_make(&p->tmpl[t], topic, cfg.qos, 1, cfg.payload, (uint32_t)t);
            }
            p->limit = cfg.retained;
            continue;
        }
        vl_pub *p = add_pub(S + j, j, 1);
        if (cfg.scenario == VS_FANIN) snprintf(topic, sizeof topic, "%s/in/%d", pre, j);
        else if (cfg.scenario == VS_FANOUT) snprintf(topic, sizeof topic, "%s/out", pre);
        else snprintf(topic, sizeof topic, "%s/pair/%d", pre, j);
        tmpl_make(&p->tmpl[0], topic, cfg.qos, 0, cfg.payload, 0);
    }
}

/* ---- inbound ------------------------------------------------------------------------------ */

static void became_ready(vl_conn *c, uint64_t now)
{
    c->state = CS_READY;
    G.pending--;
    G.ready++;
    hist_add(&G.connack, now - c->t_open);
}

void on_connack(vl_conn *c, uint64_t now)
{
    int subscribe_now = c->nfilt > 0 && cfg.scenario != VS_RETAINED;
    if (!subscribe_now) { became_ready(c, now); return; }
    c->state = CS_SUBACK;
    mq_subscribe(c, c->filt_first, c->nfilt, cfg.qos);
}

void on_suback(vl_conn *c, uint64_t now)
{
    if (c->subacks_due > 0) c->subacks_due--;
    if (c->state == CS_SUBACK && c->subacks_due == 0) became_ready(c, now);
}

void on_puback(vl_conn *c, const uint8_t *b, uint32_t len, uint64_t now)
{
    if (c->pub < 0) return;
    vl_pub *p = &vl_pubs[c->pub];
    if (len >= 2 && p->sent_at) {
        uint64_t t = p->sent_at[(uint32_t)b[0] << 8 | b[1]];
        if (G.have_s0 && t >= G.s0.t && !G.have_s1 && now >= t) hist_add(&G.ack, now - t);
    }
    p->acked++;
    G.acked++;
    G.t_last_progress = now;
}

void on_publish(vl_conn *c, uint8_t flags, const uint8_t *b, uint32_t len, uint64_t now)
{
    if (len < 2) return;
    uint32_t at = 2u + ((uint32_t)b[0] << 8 | b[1]);
    if (flags & 6) { /* QoS 1 (or 2, not used here): acknowledge at once */
        if (at + 2 > len) return;
        uint8_t *a = tx_grow(c, 4);
        a[0] = 0x40; a[1] = 2; a[2] = b[at]; a[3] = b[at + 1];
        at += 2;
    }
    if (at > len) return;
    c->received++;
    G.received++;
    G.t_last_progress = now;
    if (cfg.scenario == VS_RETAINED) {
        if (flags & 1) { G.ret_got++; G.t_ret_last = now; }
        else G.ret_other++;
        return;
    }
    if (len - at < 16) return;
    uint64_t ts;
    uint32_t pub, key;
    memcpy(&ts, b + at, 8);
    memcpy(&pub, b + at + 8, 4);
    memcpy(&key, b + at + 12, 4);
    if (pub < (uint32_t)vl_npubs) vl_pubs[pub].delivered++;
    else G.foreign++;
    if (cfg.scenario == VS_WILDCARD &&
        (key < (uint32_t)c->filt_first || key >= (uint32_t)(c->filt_first + c->nfilt)))
        G.misrouted++;
    if (G.have_s0 && ts >= G.s0.t && (!G.have_s1 || ts < G.s1.t) && now >= ts)
        hist_add(&G.lat, now - ts);
}

/* ---- publishing --------------------------------------------------------------------------- */

static void emit(vl_pub *p, uint64_t stamp)
{
    vl_tmpl *t = &p->tmpl[p->next_tmpl];
    if (++p->next_tmpl == p->ntmpl) p->next_tmpl = 0;
    uint8_t *d = tx_grow(&vl_conns[p->conn], t->len);
    memcpy(d, t->bytes, t->len);
    if (t->pid_at) {
        uint16_t id = (uint16_t)(p->sent % 65535 + 1);
        d[t->pid_at] = (uint8_t)(id >> 8);
        d[t->pid_at + 1] = (uint8_t)id;
        if (p->sent_at) p->sent_at[id] = stamp;
    }
    uint32_t key = cfg.scenario == VS_WILDCARD || cfg.scenario == VS_RETAINED ? t->key
                                                                               : (uint32_t)p->sent;
    if (cfg.payload >= 16) {
        memcpy(d + t->stamp_at, &stamp, 8);
        memcpy(d + t->stamp_at + 8, &p->id, 4);
        memcpy(d + t->stamp_at + 12, &key, 4);
    }
    p->sent++;
}

/* Messages fully done: seen by every subscriber expected to get them and, at QoS 1, acked. */
static uint64_t completed(const vl_pub *p)
{
    uint64_t d = p->delivered / (uint64_t)vl_fanout;
    if (cfg.qos && p->acked < d) d = p->acked;
    return d + p->written_off;
}

/* Closed loop: keep each publisher's window full, refilling in batches of a quarter window
 * so that writes (ours and the broker's reads) carry many packets. */
static void pump_closed(uint64_t now)
{
    uint64_t w = (uint64_t)cfg.window, batch = w >= 4 ? w / 4 : 1;
    size_t cap = (size_t)vl_tx_soft_cap();
    for (int i = 0; i < vl_npubs; i++) {
        vl_pub *p = &vl_pubs[i];
        vl_conn *c = &vl_conns[p->conn];
        if (c->state != CS_READY) continue;
        uint64_t done = completed(p);
        if (done != p->last_done) { p->last_done = done; p->t_progress = now; }
        if (p->sent + batch <= done + w)
            while (p->sent < done + w && p->sent < p->limit && tx_pending(c) < cap) emit(p, now);
        /* A full window with no progress means the broker dropped messages (QoS 0 under
         * overload): write them off so the run goes on, and report it. */
        if (p->sent > done && now - p->t_progress > (uint64_t)(cfg.stall_s * 1e9)) {
            p->written_off += p->sent - done;
            G.written_off += p->sent - done;
            G.stalls++;
            p->t_progress = now;
        }
    }
}

/* Open loop: every message whose scheduled time has come, stamped with that time. */
static void pump_open(uint64_t now)
{
    size_t cap = (size_t)vl_tx_soft_cap();
    for (int i = 0; i < vl_npubs; i++) {
        vl_pub *p = &vl_pubs[i];
        vl_conn *c = &vl_conns[p->conn];
        if (c->state != CS_READY) continue;
        while (p->due <= now && p->sent < p->limit) {
            if (tx_pending(c) >= cap || (cfg.qos && p->sent - p->acked >= 60000)) {
                G.late++;
                break;
            }
            emit(p, p->due);
            p->due += p->period;
        }
    }
}

/* Retained: publish the R messages; QoS 1 keeps at most --window unacknowledged. */
static void pump_retained(void)
{
    vl_pub *p = &vl_pubs[0];
    vl_conn *c = &vl_conns[p->conn];
    size_t cap = (size_t)vl_tx_soft_cap();
    while (p->sent < p->limit && tx_pending(c) < cap &&
           (!cfg.qos || p->sent - p->acked < (uint64_t)cfg.window))
        emit(p, 0);
}

void run_pump(uint64_t now)
{
    if (G.phase == PH_WARM || G.phase == PH_MEASURE) {
        if (cfg.rate > 0) pump_open(now);
        else pump_closed(now);
    } else if (G.phase == PH_RET_PUB) {
        pump_retained();
    }
}
