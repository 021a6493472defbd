/* vl_phase.c - the phase machine: setup, warm-up, measure, drain, hold, retained steps. */
#define _GNU_SOURCE
#include <stdio.h>

#include "vload.h"

#define S2NS(s) ((uint64_t)((s) * 1e9))

static void to_phase(int ph, uint64_t now, double secs)
{
    G.phase = ph;
    G.t_phase_end = now + S2NS(secs);
}

static void start_flow(uint64_t now)
{
    for (int i = 0; i < vl_npubs; i++) {
        vl_pub *p = &vl_pubs[i];
        p->t_progress = now;
        if (cfg.rate > 0) {
            p->period = (uint64_t)(1e9 * vl_npubs / cfg.rate);
            if (p->period == 0) p->period = 1;
            p->due = now + (uint64_t)(1e9 * i / cfg.rate); /* staggered */
        }
    }
    to_phase(PH_WARM, now, cfg.warmup);
}

static uint64_t total_sent(void)
{
    uint64_t s = 0;
    for (int i = 0; i < vl_npubs; i++) s += vl_pubs[i].sent;
    return s;
}

static void finish(uint64_t now)
{
    if (G.have_s0 && !G.have_s1) {
        vl_snapshot(&G.s1, now);
        G.have_s1 = 1;
    }
    G.phase = PH_END;
}

static void setup_tick(uint64_t now)
{
    while (G.opened < vl_nconns && G.pending < cfg.conn_window)
        conn_start(&vl_conns[G.opened++], now);
    if (G.ready == vl_nconns && G.opened == vl_nconns) {
        G.t_ready = now;
        switch (cfg.scenario) {
        case VS_CONN: finish(now); break;
        case VS_IDLE: to_phase(PH_HOLD, now, cfg.hold); break;
        case VS_RETAINED:
            vl_snapshot(&G.s0, now);
            G.have_s0 = 1;
            G.t_ret_pub0 = now;
            G.t_last_progress = now;
            G.phase = PH_RET_PUB;
            break;
        default: start_flow(now); break;
        }
    } else if (G.opened == vl_nconns && G.pending == 0) {
        set_error("setup: %d of %d connections ready", G.ready, vl_nconns);
        finish(now);
    }
}

/* Advances the phase machine; every phase ends by its own deadline or the global one. */
void run_tick(uint64_t now)
{
    if (G.phase != PH_END && now >= G.deadline) {
        set_error("max-time %.0f s reached (phase %d)", cfg.max_time, G.phase);
        finish(now);
        return;
    }
    switch (G.phase) {
    case PH_SETUP: setup_tick(now); break;
    case PH_WARM:
        if (now >= G.t_phase_end) {
            vl_snapshot(&G.s0, now);
            G.have_s0 = 1;
            G.late = 0;
            to_phase(PH_MEASURE, now, cfg.duration);
        }
        break;
    case PH_MEASURE:
        if (now >= G.t_phase_end) {
            vl_snapshot(&G.s1, now);
            G.have_s1 = 1;
            to_phase(PH_DRAIN, now, cfg.drain);
        }
        break;
    case PH_DRAIN: {
        uint64_t sent = total_sent();
        int acked = !cfg.qos || G.acked >= sent;
        if ((G.received >= sent * (uint64_t)vl_fanout && acked) || now >= G.t_phase_end)
            finish(now);
        break;
    }
    case PH_HOLD:
        if (now >= G.t_phase_end) {
            vl_snapshot(&G.s1, now);
            G.have_s1 = 1;
            G.rss1_kib = proc_kib(cfg.broker_pid, "VmRSS");
            G.phase = PH_END;
        }
        break;
    case PH_RET_PUB: {
        vl_pub *p = &vl_pubs[0];
        if (p->sent == p->limit && (!cfg.qos || p->acked >= p->sent)) {
            /* PINGREQ as a barrier: its PINGRESP comes after every PUBLISH before it. */
            mq_tiny(&vl_conns[p->conn], 0xC0);
            G.phase = PH_RET_SYNC;
            G.t_last_progress = now;
        } else if (now - G.t_last_progress > S2NS(cfg.stall_s * 5)) {
            set_error("retained: publishing stalled at %llu acks", (unsigned long long)p->acked);
            finish(now);
        }
        break;
    }
    case PH_RET_SYNC:
        if (G.pingresp) {
            G.t_ret_pub1 = now;
            mq_subscribe(&vl_conns[0], 0, 1, cfg.qos);
            G.t_ret_sub = now;
            G.t_last_progress = now;
            G.phase = PH_RET_SUB;
        } else if (now - G.t_last_progress > S2NS(cfg.stall_s * 5)) {
            set_error("retained: no PINGRESP");
            finish(now);
        }
        break;
    case PH_RET_SUB:
        if (G.ret_got >= cfg.retained) finish(now);
        else if (now - G.t_last_progress > S2NS(cfg.stall_s * 3)) {
            set_error("retained: %llu of %llu arrived, then nothing for %.0f s",
                      (unsigned long long)G.ret_got, (unsigned long long)cfg.retained,
                      cfg.stall_s * 3);
            finish(now);
        }
        break;
    default: break;
    }
}

/* When the loop must wake up even without socket events. */
uint64_t run_wake(uint64_t now)
{
    uint64_t wake = now + 50000000ull; /* at most 50 ms asleep: deadlines and stall checks */
    if ((G.phase == PH_WARM || G.phase == PH_MEASURE || G.phase == PH_DRAIN ||
         G.phase == PH_HOLD) && G.t_phase_end < wake)
        wake = G.t_phase_end;
    if ((G.phase == PH_WARM || G.phase == PH_MEASURE) && cfg.rate > 0) {
        for (int i = 0; i < vl_npubs; i++)
            if (vl_pubs[i].due < wake) wake = vl_pubs[i].due;
    } else if (G.phase == PH_WARM || G.phase == PH_MEASURE) {
        if (now + 10000000ull < wake) wake = now + 10000000ull;
    }
    return wake;
}
