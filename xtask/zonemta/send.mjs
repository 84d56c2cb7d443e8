// The sending half of ZoneMTA 3.10.18 for `cargo xtask interop`, reduced to what decides an
// MTA-STS outcome. The real mx-connect (MX resolution, the MTA-STS policy through mailauth,
// the TCP connection) and the real nodemailer SMTP client (STARTTLS, delivery) do the work;
// only ZoneMTA's glue around them is restated here, because ZoneMTA itself needs MongoDB and
// Redis. Every rule below names the place in zone-eu/zone-mta v3.10.18 it restates.
//
// Usage: node send.mjs DOMAIN...   (one JSON line per domain on stdout)
// Trust comes from NODE_EXTRA_CA_CERTS; DNS from the system resolver (/etc/resolv.conf).

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const mxConnect = require('mx-connect');
const SMTPConnection = require('nodemailer/lib/smtp-connection');

// lib/tls-retry.js: the TLS options per MX, and which errors are worth another try.
const REDUCED_HELLO = {
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    ciphers: 'TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384',
    sigalgs: 'ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pkcs1_sha256:rsa_pkcs1_sha384',
    ecdhCurve: 'X25519:P-256:P-384'
};
const tlsOptions = (servername, enforce, reduced) => ({
    servername,
    rejectUnauthorized: enforce,
    minVersion: enforce ? 'TLSv1.2' : 'TLSv1',
    ...(reduced ? REDUCED_HELLO : {})
});
const TLS_MESSAGE =
    /SSL23_GET_SERVER_HELLO|\/deps\/openssl|ssl3_check|ssl3_get_record|SSL routines|disconnected\s+before\s+secure\s+TLS\s+connection\s+was\s+established|alert handshake failure|wrong version number/i;
const timedOut = err => err.code === 'ETIMEDOUT' || (err.category === 'network' && /timed out/i.test(err.message || err.response || ''));
const tlsLike = err => err.code === 'ETLS' || err.code === 'ECONNRESET' || TLS_MESSAGE.test(err.message || '');
const retryReduced = err => !err.cert && (tlsLike(err) || timedOut(err));

// lib/sender.js handleResponseError: mx-connect's categories first, then reply codes.
// bounces.txt is reduced to its last rules (a 5xx rejects, anything else defers).
function finalAction(err) {
    if (['dns', 'network', 'policy'].includes(err.category)) {
        return err.temporary || err.action === 'defer' ? 'defer' : 'bounce';
    }
    const reply = String(err.response || err.message || '').trim();
    if (!err.responseCode && !/^\d{3}\b/.test(reply)) {
        return 'defer';
    }
    return (err.responseCode || Number(reply.slice(0, 3))) >= 500 ? 'bounce' : 'defer';
}

// ZoneMTA keeps policies in Redis; each run here starts with an empty cache, as the other
// senders do.
const policies = new Map();
const mtaSts = {
    enabled: true,
    logger: () => {},
    cache: {
        get: async domain => policies.get(domain) || null,
        set: async (domain, policy) => {
            policies.set(domain, policy);
        }
    }
};

// One SMTP session on the socket mx-connect opened: resolves with the connection once the
// session is ready for a message, rejects with the error as ZoneMTA's _onError shapes it.
function session(mx, enforce, reduced, ignoreTLS) {
    return new Promise((resolve, reject) => {
        const conn = new SMTPConnection({
            servername: mx.hostname,
            host: mx.host,
            port: 25,
            connection: mx.socket,
            name: 'sender.interop.test',
            ignoreTLS,
            opportunisticTLS: !enforce,
            // ZoneMTA waits 5 minutes to connect and 2 for the greeting; the scenarios that
            // delay on purpose are left out of interop, so shorter waits change nothing here.
            connectionTimeout: 30 * 1000,
            greetingTimeout: 30 * 1000,
            // nodemailer's default is 10 minutes; shorter here so a peer that stalls mid-handshake
            // ends within the harness's wait. It changes when ZoneMTA gives up, not what it does.
            socketTimeout: 20 * 1000,
            tls: tlsOptions(mx.hostname, enforce, reduced)
        });
        let settled = false;
        // tls-retry.js isTlsAttempted: secure, upgrading, or already a TLS socket.
        const tlsAttempted = () => !!(conn.secure || conn.upgrading || (conn._socket && conn._socket.encrypted));
        const fail = err => {
            if (settled) return;
            settled = true;
            // sender.js _onError: a certificate error, or a peer that hangs up during the
            // handshake, is a policy violation under enforce, and permanent.
            if (/disconnected\s+before\s+secure\s+TLS\s+connection\s+was\s+established/i.test(err.message) || err.cert) {
                if (enforce) {
                    err.category = 'policy';
                    err.temporary = false;
                } else {
                    err.code = 'ETLS';
                }
            }
            if (typeof err.temporary !== 'boolean') {
                err.temporary = !(err.responseCode >= 500);
            }
            if (err.temporary) {
                err.category = err.category || 'network';
            }
            err.tlsAttempted = tlsAttempted();
            conn.close();
            reject(err);
        };
        conn.once('error', fail);
        conn.once('end', () => setTimeout(() => fail(Object.assign(new Error('Unexpected socket close'), { code: tlsAttempted() ? 'ETLS' : undefined })), 1000).unref());
        conn.connect(() => {
            if (settled) return;
            // sender.js connect callback: enforce without an encrypted session is refused.
            if (enforce && !conn.secure) {
                settled = true;
                conn.close();
                return reject(Object.assign(new Error('TLS is required'), { category: 'policy' }));
            }
            settled = true;
            resolve(conn);
        });
    });
}

function send(conn, domain) {
    return new Promise((resolve, reject) => {
        conn.send(
            { from: 'interop@sender.interop.test', to: [`postmaster@${domain}`] },
            `Subject: interop ${domain}\r\n\r\nMTA-STS interop test\r\n`,
            err => (err ? reject(err) : resolve())
        );
    });
}

// sender.js getConnection/tryConnect: a reduced ClientHello once per host after a TLS-looking
// error, plaintext after a STARTTLS error when not enforcing, the next MX after a timeout;
// any other error ends the attempt.
async function deliver(domain) {
    const ignoreMXHosts = [];
    let mxLastError;
    const reducedHosts = new Set();
    let ignoreTLS = false;
    for (let attempt = 0; attempt < 20; attempt++) {
        let mx;
        try {
            mx = await mxConnect({ target: domain, port: 25, maxConnectTime: 5000, ignoreMXHosts, mxLastError, mtaSts });
        } catch (err) {
            return { outcome: finalAction(err), mx: null, detail: `mx-connect: ${err.category || ''} ${err.message}` };
        }
        const enforce = (mx.policyMatch && mx.policyMatch.mode === 'enforce') || false;
        const host = mx.hostname || mx.host;
        const reduced = reducedHosts.has(host);
        let conn;
        try {
            conn = await session(mx, enforce, reduced, enforce ? false : ignoreTLS);
        } catch (err) {
            if (err.tlsAttempted && !reduced && retryReduced(err)) {
                reducedHosts.add(host);
                continue;
            }
            if (!ignoreTLS && !enforce && tlsLike(err)) {
                ignoreTLS = true;
                continue;
            }
            if (timedOut(err)) {
                ignoreMXHosts.push(mx.host);
                mxLastError = err;
                continue;
            }
            return { outcome: finalAction(err), mx: null, detail: `${host}: ${err.category || ''} ${err.code || ''} ${err.message}` };
        }
        const verified = enforce && conn.secure;
        try {
            await send(conn, domain);
        } catch (err) {
            conn.close();
            return { outcome: finalAction(err), mx: null, detail: `${host}: ${err.message}` };
        }
        conn.quit();
        return {
            outcome: verified ? 'deliver-verified' : 'deliver-unverified',
            mx: host.replace(/\.$/, ''),
            detail: `${host}: mode ${(mx.policyMatch && mx.policyMatch.mode) || 'none'}, ${conn.secure ? 'TLS' : 'plaintext'}`
        };
    }
    return { outcome: 'defer', mx: null, detail: 'gave up after 20 connection attempts' };
}

const domains = process.argv.slice(2);
await Promise.all(
    domains.map(async domain => {
        const result = await deliver(domain).catch(err => ({ outcome: 'error', mx: null, detail: String(err && err.stack) }));
        process.stdout.write(JSON.stringify({ domain, ...result }) + '\n');
    })
);
