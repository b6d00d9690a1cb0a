package org.archipelago.media.dtls;

import org.archipelago.media.srtp.SrtpProfile;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Hashtable;
import java.util.List;

/** BC's client side of a DTLS-SRTP handshake (RFC 5764, RFC 5763 §5). */
final class DtlsSrtpClient extends DefaultTlsClient {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsSrtpClient.class);

    private final BcTlsCrypto crypto;
    private final DtlsCertificate certificate;
    private final HandshakeState state;
    private final List<SrtpProfile> profiles;
    private final int handshakeTimeoutMillis;
    private final int initialRetransmitMillis;

    DtlsSrtpClient(BcTlsCrypto crypto, DtlsCertificate certificate, HandshakeState state,
                   DtlsTransportConfig config) {
        super(crypto);
        this.crypto = crypto;
        this.certificate = certificate;
        this.state = state;
        this.profiles = config.srtpProfiles();
        this.handshakeTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, config.handshakeTimeout().toMillis());
        this.initialRetransmitMillis = (int) config.initialRetransmit().toMillis();
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        // WebRTC uses DTLS 1.2 (RFC 8827 §6.5); DTLS 1.0 lacks AEAD suites.
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return TlsUtils.getSupportedCipherSuites(getCrypto(), DtlsPeerSupport.CIPHER_SUITES);
    }

    @Override
    public boolean requiresExtendedMasterSecret() {
        // RFC 7627: binds the master secret to the whole handshake.
        return true;
    }

    @Override
    public boolean shouldCheckSigAlgOfPeerCerts() {
        // Trusted by fingerprint only (RFC 5763 §5): the self-signature's algorithm is irrelevant.
        return false;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    @Override
    public int getHandshakeResendTimeMillis() {
        return initialRetransmitMillis;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Hashtable getClientExtensions() throws IOException {
        Hashtable extensions = super.getClientExtensions();
        TlsSRTPUtils.addUseSRTPExtension(extensions, DtlsPeerSupport.offer(profiles));
        return extensions;
    }

    @Override
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
        super.processServerExtensions(serverExtensions);
        UseSRTPData answer = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
        SrtpProfile chosen = DtlsPeerSupport.checkServerChoice(answer, profiles);
        if (chosen == null) {
            state.fail(DtlsFailureReason.NO_COMMON_SRTP_PROFILE);
            short alert = answer == null ? AlertDescription.handshake_failure : AlertDescription.illegal_parameter;
            throw new TlsFatalAlert(alert, "server's use_srtp is missing or not one of our offered profiles");
        }
        state.selectedProfile(chosen);
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                state.verifyPeerCertificate(serverCertificate.getCertificate());
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                // RFC 5763 §5: the client always presents its certificate when asked.
                for (short type : request.getCertificateTypes()) {
                    if (type == ClientCertificateType.ecdsa_sign) {
                        return DtlsPeerSupport.signer(context, crypto, certificate,
                                request.getSupportedSignatureAlgorithms());
                    }
                }
                LOG.debug("server does not accept ECDSA client certificates; sending none");
                return null;
            }
        };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        // BC allows exporting only from here (RFC 5705 keying material, RFC 5764 §4.2 label).
        state.exportSrtpKeyingMaterial(context);
    }

    @Override
    public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
        LOG.debug("DTLS client raised alert {}: {}", AlertDescription.getText(alertDescription), message, cause);
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        LOG.debug("DTLS client received alert {}", AlertDescription.getText(alertDescription));
        state.alertReceived(alertLevel, alertDescription);
    }
}
