package org.archipelago.media.dtls;

import org.archipelago.media.srtp.SrtpProfile;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsFatalAlert;

import java.io.IOException;

/**
 * What one handshake learned beyond BC's own state: why it failed (when we made it fail), the
 * alert the peer sent, and the SRTP profile that use_srtp settled on.
 *
 * <p>Written by the BC peer callbacks on the handshake thread; read by the same thread afterwards.
 */
final class HandshakeState {
    private final DtlsFingerprint expectedRemoteFingerprint;
    private DtlsFailureReason failure;
    private short alertReceived = -1;
    private SrtpProfile selectedProfile;
    private byte[] keyingMaterial;

    HandshakeState(DtlsFingerprint expectedRemoteFingerprint) {
        this.expectedRemoteFingerprint = expectedRemoteFingerprint;
    }

    /**
     * RFC 5763 §5 / RFC 8122 §5: the end-entity certificate the peer presented must hash to the
     * fingerprint in its SDP; that comparison is the peer's whole authentication (no PKI). Both
     * ends must present a certificate, so an empty chain fails too.
     */
    void verifyPeerCertificate(Certificate chain) throws IOException {
        if (chain == null || chain.isEmpty()) {
            fail(DtlsFailureReason.NO_PEER_CERTIFICATE);
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "peer presented no certificate");
        }
        byte[] endEntity = chain.getCertificateAt(0).getEncoded();
        if (!expectedRemoteFingerprint.matches(endEntity)) {
            fail(DtlsFailureReason.FINGERPRINT_MISMATCH);
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "certificate fingerprint "
                    + DtlsFingerprint.compute(expectedRemoteFingerprint.algorithm(), endEntity).hex()
                    + " does not match the SDP's " + expectedRemoteFingerprint.hex());
        }
    }

    /** Records the first reason we chose to fail; later ones are consequences. */
    void fail(DtlsFailureReason reason) {
        if (failure == null) {
            failure = reason;
        }
    }

    DtlsFailureReason failure() {
        return failure;
    }

    void alertReceived(short level, short description) {
        if (level == AlertLevel.fatal || description == AlertDescription.close_notify) {
            alertReceived = description;
        }
    }

    /** The fatal alert or close_notify the peer sent, or -1. */
    short alertReceived() {
        return alertReceived;
    }

    void selectedProfile(SrtpProfile profile) {
        this.selectedProfile = profile;
    }

    SrtpProfile selectedProfile() {
        return selectedProfile;
    }

    /** RFC 5764 §4.2: two keys and two salts for the selected profile, from the TLS exporter. */
    void exportSrtpKeyingMaterial(TlsContext context) throws IOException {
        if (selectedProfile == null) {
            // Both peers fail the handshake earlier when use_srtp did not settle on a profile.
            throw new TlsFatalAlert(AlertDescription.internal_error, "handshake completed without an SRTP profile");
        }
        keyingMaterial = context.exportKeyingMaterial(DtlsPeerSupport.EXPORTER_LABEL, null,
                selectedProfile.keyingMaterialLength());
    }

    /** The exported material; the caller owns (and should wipe) it. Null before the handshake completed. */
    byte[] takeKeyingMaterial() {
        byte[] material = keyingMaterial;
        keyingMaterial = null;
        return material;
    }
}
