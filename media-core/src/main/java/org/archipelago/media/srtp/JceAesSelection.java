package org.archipelago.media.srtp;

import org.jitsi.srtp.crypto.Aes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes jitsi-srtp use the JDK's own AES (the SunJCE provider) for AES-CTR, AES-GCM and the key
 * derivation, instead of the winner of its start-up race.
 *
 * <p>Left alone, jitsi-srtp's {@link Aes} times each candidate provider (its bundled OpenSSL JNI
 * wrapper, SunJCE, BouncyCastle, SunPKCS11) on a few 1250-byte operations the first time a
 * transformation is needed and keeps the fastest. That race is noisy: it runs while the JVM is
 * still cold and on a machine busy with other work, so which implementation a server ends up
 * with can change from one start to the next, and with it the per-packet cost. SunJCE uses the
 * AES-NI and PCLMULQDQ intrinsics on x86-64 and ARMv8 crypto on aarch64, costs no JNI transition
 * per packet, and is what ARCHITECTURE.md's budget was measured with (GCM protect ≈ 1.1 µs).
 *
 * <p>{@link Aes#setFactoryClassName} names a preferred factory; {@code Aes} then puts it first and
 * takes it after a single trial operation, without timing the others. It only falls back to the
 * race if that factory cannot create the cipher. The setting is JVM-wide static state of the
 * library; it must be made before the first context is created, which is why {@link SrtpSession}
 * calls {@link #ensureJce()} from its static initializer.
 *
 * <p>Not covered: HMAC-SHA1 (AES-CM profile) is chosen by {@code org.jitsi.srtp.crypto.HmacSha1},
 * which prefers the bundled OpenSSL provider when its native library loads and has no setting.
 */
final class JceAesSelection {
    private static final Logger LOG = LoggerFactory.getLogger(JceAesSelection.class);
    private static boolean done;

    private JceAesSelection() {
    }

    static synchronized void ensureJce() {
        if (done) {
            return;
        }
        Aes.setFactoryClassName(Aes.SunJCECipherFactory.class.getName());
        done = true;
        LOG.debug("jitsi-srtp AES factory forced to {}", Aes.SunJCECipherFactory.class.getName());
    }
}
