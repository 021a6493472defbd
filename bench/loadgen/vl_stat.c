/* vl_stat.c - clock, latency histogram, /proc readers. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "vload.h"

uint64_t vl_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Slot of v: values below 2^SUB_BITS map to themselves; above, the top SUB_BITS bits after
 * the leading one select a sub-bucket within the power of two. */
static int hist_slot(uint64_t v)
{
    const uint64_t sub = 1u << HIST_SUB_BITS;
    if (v < sub) return (int)v;
    int e = 63 - __builtin_clzll(v);       /* position of the leading one, >= SUB_BITS */
    int shift = e - HIST_SUB_BITS;
    return (int)(((uint64_t)(shift + 1) << HIST_SUB_BITS) + ((v >> shift) & (sub - 1)));
}

/* Upper edge of a slot's range, so quantiles never under-report. */
static uint64_t slot_top(int s)
{
    const int sub = 1 << HIST_SUB_BITS;
    if (s < sub) return (uint64_t)s;
    int shift = s / sub - 1;
    uint64_t base = (uint64_t)(sub + s % sub) << shift;
    return base + (1ull << shift) - 1;
}

void hist_add(vl_hist *h, uint64_t v)
{
    h->slot[hist_slot(v)]++;
    h->n++;
    if (v > h->max) h->max = v;
}

uint64_t hist_q(const vl_hist *h, double q)
{
    if (!h->n) return 0;
    uint64_t want = (uint64_t)(q * (double)h->n + 0.5), acc = 0;
    if (want < 1) want = 1;
    for (int s = 0; s < HIST_SLOTS; s++) {
        acc += h->slot[s];
        if (acc >= want) {
            uint64_t v = slot_top(s);
            return v < h->max ? v : h->max;
        }
    }
    return h->max;
}

/* utime + stime of a process (all threads), seconds; -1 if unreadable. *user: utime. */
double proc_cpu_s(int pid, double *user)
{
    *user = -1;
    if (pid <= 0) return -1;
    char path[48], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may contain spaces */
    if (!p) return -1;
    unsigned long long ut, st;
    /* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    *user = (double)ut / (double)sysconf(_SC_CLK_TCK);
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

double self_cpu_s(double *user)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* A "Field:   123 kB" line of /proc/PID/status, in KiB; -1 if absent. */
long proc_kib(int pid, const char *field)
{
    if (pid <= 0) return -1;
    char path[48], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    size_t fl = strlen(field);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
            v = strtol(line + fl + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

/* User-mode time (user + nice) of all CPUs so far, seconds: the noise check subtracts the
 * broker's and our own, leaving what other processes ran during the measurement. */
static double all_user_s(void)
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return -1;
    unsigned long long u = 0, n = 0;
    int k = fscanf(f, "cpu %llu %llu", &u, &n);
    fclose(f);
    return k == 2 ? (double)(u + n) / (double)sysconf(_SC_CLK_TCK) : -1;
}

void vl_snapshot(vl_snap *s, uint64_t now)
{
    s->t = now;
    s->sent = s->acked = 0;
    for (int i = 0; i < vl_npubs; i++) {
        s->sent += vl_pubs[i].sent;
        s->acked += vl_pubs[i].acked;
    }
    s->received = G.received;
    s->self_cpu = self_cpu_s(&s->self_user);
    s->broker_cpu = proc_cpu_s(cfg.broker_pid, &s->broker_user);
    s->all_user = all_user_s();
}
