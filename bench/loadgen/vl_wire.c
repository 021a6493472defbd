/* vl_wire.c - what lies between the socket and MQTT when asked: TLS (OpenSSL, non-blocking) and
 * WebSocket (RFC 6455 client: upgrade, one masked binary frame per MQTT packet, server frames
 * unwrapped in place). Plain TCP goes straight to send()/recv() as before. */
#define _GNU_SOURCE
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "vload.h"

static SSL_CTX *ctx;

void wire_init(void)
{
    if (!cfg.tls_ca) return;
    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) die("SSL_CTX_new failed");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_load_verify_locations(ctx, cfg.tls_ca, NULL) != 1) die("cannot load CA %s", cfg.tls_ca);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    /* The buffer may move between a partial write and its retry (tx is realloc'd / compacted). */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF); /* every connection a full handshake */
}

static ssize_t ssl_result(vl_conn *c, int k)
{
    if (k > 0) return k;
    int e = SSL_get_error(c->ssl, k);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) { errno = EAGAIN; return -1; }
    if (e == SSL_ERROR_ZERO_RETURN) return 0;
    ERR_clear_error();
    errno = ECONNRESET;
    return -1;
}

ssize_t wire_send(vl_conn *c, const uint8_t *b, size_t n)
{
    if (!c->ssl) return send(c->fd, b, n, MSG_NOSIGNAL);
    return ssl_result(c, SSL_write(c->ssl, b, (int)(n > (1u << 30) ? (1u << 30) : n)));
}

ssize_t wire_recv(vl_conn *c, uint8_t *b, size_t n)
{
    if (!c->ssl) return recv(c->fd, b, n, 0);
    return ssl_result(c, SSL_read(c->ssl, b, (int)n));
}

/* Bytes of the frame header ws_frame_header writes for an n-byte payload. */
size_t ws_header_len(size_t n) { return (n < 126 ? 2 : 4) + 4; }

/* A masked binary frame header; the mask key is zero, so the payload needs no XOR (a valid key:
 * the benchmark must not spend its CPU masking). Payloads are below 64 KiB here. */
void ws_frame_header(uint8_t *h, size_t n)
{
    h[0] = 0x82;
    if (n < 126) {
        h[1] = (uint8_t)(0x80 | n);
        memset(h + 2, 0, 4);
    } else {
        h[1] = 0x80 | 126;
        h[2] = (uint8_t)(n >> 8);
        h[3] = (uint8_t)n;
        memset(h + 4, 0, 4);
    }
}

/* Unwraps server frames in place: returns how many payload bytes of b[0..n) remain at b. Frame
 * state crosses reads (ws_left, a partial header in ws_hdr). Control frames are dropped; a close
 * frame ends the connection. */
size_t ws_deframe(vl_conn *c, uint8_t *b, size_t n)
{
    size_t in = 0, out = 0;
    while (in < n && c->state != CS_DEAD) {
        if (c->ws_left > 0) {
            size_t k = n - in < c->ws_left ? n - in : c->ws_left;
            if (!c->ws_control) memmove(b + out, b + in, k), out += k;
            in += k;
            c->ws_left -= k;
            continue;
        }
        c->ws_hdr[c->ws_hlen++] = b[in++];
        if (c->ws_hlen < 2) continue;
        uint8_t len7 = c->ws_hdr[1] & 0x7f;
        size_t need = len7 < 126 ? 2 : len7 == 126 ? 4 : 10;
        if (c->ws_hlen < need) continue;
        uint64_t len = len7;
        if (len7 == 126) len = ((uint64_t)c->ws_hdr[2] << 8) | c->ws_hdr[3];
        else if (len7 == 127) { len = 0; for (int i = 2; i < 10; i++) len = (len << 8) | c->ws_hdr[i]; }
        uint8_t op = c->ws_hdr[0] & 0x0f;
        c->ws_hlen = 0;
        c->ws_left = len;
        c->ws_control = op >= 8;
        if (op == 8) conn_kill(c, "WebSocket closed by broker");
    }
    return out;
}

static const char UPGRADE[] =
    "GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Protocol: mqtt\r\n\r\n";

/* Transport ready: WebSocket upgrade next, or CONNECT. */
static void wire_ready(vl_conn *c)
{
    if (!cfg.ws) {
        c->state = CS_CONNACK;
        mq_connect(c);
        return;
    }
    c->state = CS_WS;
    ssize_t k = wire_send(c, (const uint8_t *)UPGRADE, sizeof UPGRADE - 1);
    if (k != (ssize_t)(sizeof UPGRADE - 1)) conn_kill(c, "WebSocket upgrade request not sent");
}

static void tls_step(vl_conn *c)
{
    int k = SSL_do_handshake(c->ssl);
    if (k == 1) { want_out(c, 0); wire_ready(c); return; }
    int e = SSL_get_error(c->ssl, k);
    if (e == SSL_ERROR_WANT_READ) want_out(c, 0);
    else if (e == SSL_ERROR_WANT_WRITE) want_out(c, 1);
    else {
        char why[160];
        snprintf(why, sizeof why, "TLS handshake: %s", ERR_reason_error_string(ERR_peek_last_error()));
        ERR_clear_error();
        conn_kill(c, why);
    }
}

/* The TCP connection is up (plain connections never get here: they queue CONNECT at once). */
void wire_connected(vl_conn *c)
{
    if (!ctx) { wire_ready(c); return; }
    c->ssl = SSL_new(ctx);
    if (!c->ssl) die("SSL_new failed");
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_tlsext_host_name(c->ssl, "localhost");
    SSL_set1_host(c->ssl, "localhost");
    SSL_set_connect_state(c->ssl);
    c->state = CS_TLS;
    tls_step(c);
}

/* An event while the TLS handshake or the WebSocket upgrade is under way. */
void wire_event(vl_conn *c)
{
    if (c->state == CS_TLS) { tls_step(c); return; }
    char buf[1024];
    ssize_t k = wire_recv(c, (uint8_t *)buf, sizeof buf - 1);
    if (k == 0) { conn_kill(c, "closed during WebSocket upgrade"); return; }
    if (k < 0) { if (errno != EAGAIN) conn_kill(c, strerror(errno)); return; }
    buf[k] = 0;
    /* The 101 answer is small and comes in one piece; the broker says nothing more before CONNACK. */
    if (strncmp(buf, "HTTP/1.1 101", 12) != 0 || !strstr(buf, "\r\n\r\n")) { conn_kill(c, "WebSocket upgrade refused"); return; }
    c->state = CS_CONNACK;
    mq_connect(c);
}

void wire_free(vl_conn *c)
{
    if (c->ssl) SSL_free(c->ssl);
    c->ssl = NULL;
}
