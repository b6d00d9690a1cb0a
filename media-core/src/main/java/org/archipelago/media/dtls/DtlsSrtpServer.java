package org.archipelago.media.dtls;

import org.archipelago.media.srtp.SrtpProfile;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Hashtable;
import java.util.List;

/** BC's server side of a DTLS-SRTP handshake (RFC 5764, RFC 5763 §5). */
final class DtlsSrtpServer extends DefaultTlsServer {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsSrtpServer.class);

    private final BcTlsCrypto crypto;
    private final DtlsCertificate certificate;
    private final HandshakeState state;
    private final List<SrtpProfile> profiles;
    private final int handshakeTimeoutMillis;
    private final int initialRetransmitMillis;

    DtlsSrtpServer(BcTlsCrypto crypto, DtlsCertificate certificate, HandshakeState state,
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
        // RFC 7627: binds the master secret to the whole handshake; all browsers send it.
        return true;
    }

    @Override
    public boolean shouldCheckSigAlgOfPeerCerts() {
        // Peer certificates are self-signed and trusted only by fingerprint (RFC 5763 §5), so
        // the algorithm of their self-signature is irrelevant.
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
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
        return DtlsPeerSupport.signer(context, crypto, certificate,
                context.getSecurityParametersHandshake().getClientSigAlgs());
    }

    @Override
    public CertificateRequest getCertificateRequest() {
        // RFC 5763 §5: the server MUST request the client's certificate; its fingerprint is how we
        // know the DTLS client is the endpoint that sent the SDP offer. RSA is allowed for older peers.
        short[] types = {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign};
        return new CertificateRequest(types, TlsUtils.getDefaultSupportedSignatureAlgorithms(context), null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
        state.verifyPeerCertificate(clientCertificate);
    }

    @Override
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        UseSRTPData offer = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
        SrtpProfile selected = DtlsPeerSupport.select(offer, profiles);
        if (selected == null) {
            state.fail(DtlsFailureReason.NO_COMMON_SRTP_PROFILE);
            // RFC 5764 §4.1.2 lets a server go on without use_srtp; without SRTP keys we are useless.
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "no common SRTP protection profile");
        }
        state.selectedProfile(selected);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Hashtable getServerExtensions() throws IOException {
        Hashtable extensions = super.getServerExtensions();
        int[] chosen = {state.selectedProfile().protectionProfileId()};
        TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(chosen, new byte[0]));
        return extensions;
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        // BC allows exporting only from here (RFC 5705 keying material, RFC 5764 §4.2 label).
        state.exportSrtpKeyingMaterial(context);
    }

    @Override
    public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
        LOG.debug("DTLS server raised alert {}: {}", AlertDescription.getText(alertDescription), message, cause);
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        LOG.debug("DTLS server received alert {}", AlertDescription.getText(alertDescription));
        state.alertReceived(alertLevel, alertDescription);
    }
}
