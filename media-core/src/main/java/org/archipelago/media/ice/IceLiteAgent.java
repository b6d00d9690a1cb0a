package org.archipelago.media.ice;

import io.netty.buffer.ByteBuf;
import org.archipelago.media.stun.StunFingerprint;
import org.archipelago.media.stun.StunMessage;
import org.archipelago.media.stun.StunMessageIntegrity;
import org.archipelago.media.stun.StunMessageWriter;
import org.archipelago.media.stun.StunParseResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The ICE-lite agent of one peer (<a href="https://www.rfc-editor.org/rfc/rfc8445#section-2.5">RFC
 * 8445 §2.5</a>, responding side of <a href="https://www.rfc-editor.org/rfc/rfc8445#section-7.3">
 * §7.3</a>). It never sends checks and is always the controlled agent: it answers authenticated
 * Binding requests and follows the peer's nomination.
 *
 * <h2>Which requests are answered</h2>
 * A Binding request whose USERNAME is {@code "<localUfrag>:<remoteUfrag>"} (any non-empty remote
 * part while the remote ufrag is not known yet — checks can arrive before the remote SDP is
 * applied), whose MESSAGE-INTEGRITY verifies with the local password and whose FINGERPRINT, if
 * present, verifies. Everything else is dropped <em>without any answer</em> and counted by
 * reason: an unauthenticated sender must not be able to make us send (no reflection or
 * amplification), so there are no STUN error responses at all.
 *
 * <h2>Selection policy</h2>
 * <ul>
 *   <li>An authenticated request carrying USE-CANDIDATE nominates its sender's address, which
 *       becomes {@link #selectedAddress()}; a later nomination of another address moves the
 *       selection there (RFC 8445 §7.3.1.5, "moving to a newly nominated pair" — e.g. after an
 *       ICE restart or a network change on the peer).</li>
 *   <li>Until the first nomination, the latest authenticated sender is selected provisionally, so
 *       a peer that never nominates still gets an address to send to, and it is always the one with
 *       the most recent evidence of working. After a nomination, requests without USE-CANDIDATE
 *       from other addresses are answered (the peer keeps checking other pairs) but do not move
 *       the selection.</li>
 *   <li>A peer that sends ICE-CONTROLLED claims the controlled role too: it ignored our
 *       {@code a=ice-lite}, since a lite agent is always controlled (RFC 8445 §6.1.1) and cannot
 *       take the controlling role the role-conflict rule of §7.3.1.1 would hand it. It is answered
 *       (the answer costs nothing an authenticated peer could not get anyway) and counted, but its
 *       USE-CANDIDATE is not honoured, because only a controlling agent nominates.</li>
 * </ul>
 *
 * <h2>Consent freshness</h2>
 * RFC 7675 has the media sender obtain consent with its own checks; a lite agent sends none, so
 * it takes the peer's authenticated Binding requests from the selected address as the evidence
 * instead (browsers send one every few seconds). {@link #isConsentExpired} becomes true once none
 * has arrived for the consent timeout (30 s by default, RFC 7675 §5.1); before any authenticated
 * request there is no consent to expire, and giving up on a peer that never connects is the
 * owner's decision.
 *
 * <p>Owned by one thread (the peer's event loop): no locks. Time comes in as {@code nowNanos}.
 */
public final class IceLiteAgent {
    public static final long DEFAULT_CONSENT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private static final Logger LOG = LoggerFactory.getLogger(IceLiteAgent.class);

    private final IceCredentials localCredentials;
    private final long consentTimeoutNanos;
    private final StunMessage request = new StunMessage();
    private final StunMessageWriter writer = new StunMessageWriter();
    private final StunFingerprint fingerprint = new StunFingerprint();
    private final StunMessageIntegrity localIntegrity;
    private final long[] outcomeCounts = new long[BindingRequestOutcome.COUNT];
    private final long[] malformedCounts = new long[StunParseResult.COUNT];

    private IceCredentials remoteCredentials;
    /** "localUfrag:remoteUfrag", once the remote ufrag is known. */
    private byte[] expectedUsername;

    private InetSocketAddress selectedAddress;
    private boolean nominated;
    private boolean consentGranted;
    private long lastConsentNanos;
    private long nominationCount;
    private long peerClaimedControlledCount;

    // The last sender's address bytes, so that a peer's every consent check does not allocate them anew.
    private InetAddress encodedAddress;
    private byte[] encodedAddressBytes;

    public IceLiteAgent(IceCredentials localCredentials) {
        this(localCredentials, DEFAULT_CONSENT_TIMEOUT_NANOS);
    }

    public IceLiteAgent(IceCredentials localCredentials, long consentTimeoutNanos) {
        if (consentTimeoutNanos <= 0) {
            throw new IllegalArgumentException("consent timeout must be positive, got " + consentTimeoutNanos);
        }
        this.localCredentials = localCredentials;
        this.consentTimeoutNanos = consentTimeoutNanos;
        this.localIntegrity = new StunMessageIntegrity(localCredentials.passwordBytes());
    }

    /** An agent with fresh local credentials (RFC 8445 §5.3) and the default consent timeout. */
    public static IceLiteAgent withGeneratedCredentials(SecureRandom random) {
        return new IceLiteAgent(IceCredentials.generate(random));
    }

    /** The ufrag and password to put in the local SDP. */
    public IceCredentials localCredentials() {
        return localCredentials;
    }

    /** The peer's ufrag and password, from its SDP. Until set, any remote ufrag is accepted. */
    public void setRemoteCredentials(IceCredentials remote) {
        this.remoteCredentials = remote;
        this.expectedUsername = (localCredentials.ufrag() + ':' + remote.ufrag()).getBytes(StandardCharsets.US_ASCII);
    }

    /** The peer's credentials, or null before {@link #setRemoteCredentials}. */
    public IceCredentials remoteCredentials() {
        return remoteCredentials;
    }

    /**
     * Handles one datagram the demultiplexer classified as STUN (RFC 7983). Reads
     * {@code request}'s readable bytes without moving its indices or releasing it; on success
     * appends the Binding success response to {@code responseOut}, which the caller then sends to
     * {@code sender}. On any other outcome nothing is written.
     *
     * @param sender    the datagram's source address (resolved)
     * @param nowNanos  the current time, for consent freshness
     * @return what was done; check {@link BindingRequestOutcome#responded()}
     */
    public BindingRequestOutcome handleBindingRequest(ByteBuf request, InetSocketAddress sender, long nowNanos,
                                                      ByteBuf responseOut) {
        BindingRequestOutcome outcome = handle(request, sender, nowNanos, responseOut);
        outcomeCounts[outcome.ordinal()]++;
        return outcome;
    }

    private BindingRequestOutcome handle(ByteBuf datagram, InetSocketAddress sender, long nowNanos,
                                         ByteBuf responseOut) {
        StunParseResult parsed = request.wrap(datagram);
        if (parsed != StunParseResult.VALID) {
            malformedCounts[parsed.ordinal()]++;
            return BindingRequestOutcome.DROPPED_MALFORMED;
        }
        int type = request.messageType();
        if (type == StunMessage.BINDING_INDICATION) {
            return BindingRequestOutcome.IGNORED_INDICATION;
        }
        if (type != StunMessage.BINDING_REQUEST) {
            return BindingRequestOutcome.DROPPED_NOT_BINDING_REQUEST;
        }
        // The CRC first: it is cheaper than the HMAC and rejects corrupted datagrams outright.
        if (request.hasFingerprint() && !fingerprint.verify(request)) {
            return BindingRequestOutcome.DROPPED_BAD_FINGERPRINT;
        }
        if (!request.hasUsername()) {
            return BindingRequestOutcome.DROPPED_NO_USERNAME;
        }
        if (!request.hasMessageIntegrity()) {
            return BindingRequestOutcome.DROPPED_NO_MESSAGE_INTEGRITY;
        }
        boolean usernameMatches = expectedUsername != null
                ? request.usernameEquals(expectedUsername)
                : request.usernameHasLocalPart(localCredentials.ufragBytes());
        if (!usernameMatches) {
            return BindingRequestOutcome.DROPPED_WRONG_USERNAME;
        }
        if (!localIntegrity.verify(request)) {
            return BindingRequestOutcome.DROPPED_BAD_MESSAGE_INTEGRITY;
        }
        byte[] senderAddress = encodedAddressOf(sender);
        if (senderAddress == null) {
            return BindingRequestOutcome.DROPPED_UNRESOLVED_SENDER;
        }
        if (responseOut.maxWritableBytes() < StunMessageWriter.BINDING_SUCCESS_RESPONSE_MAX_LENGTH) {
            return BindingRequestOutcome.DROPPED_RESPONSE_BUFFER_TOO_SMALL;
        }
        // Authenticated from here on.
        boolean selectionChanged = updateSelection(sender);
        if (sender.equals(selectedAddress)) {
            consentGranted = true;
            lastConsentNanos = nowNanos;
        }
        writer.writeBindingSuccessResponse(responseOut, request, senderAddress, sender.getPort(), localIntegrity);
        return selectionChanged
                ? BindingRequestOutcome.RESPONDED_SELECTED_ADDRESS_CHANGED
                : BindingRequestOutcome.RESPONDED;
    }

    /** Applies the selection policy of the class comment; returns whether the selection moved. */
    private boolean updateSelection(InetSocketAddress sender) {
        boolean peerClaimsControlled = request.hasIceControlled() && !request.hasIceControlling();
        if (peerClaimsControlled) {
            peerClaimedControlledCount++;
        }
        boolean nomination = request.hasUseCandidate() && !peerClaimsControlled;
        if (nomination) {
            nominationCount++;
            nominated = true;
        } else if (nominated) {
            return false;
        }
        if (sender.equals(selectedAddress)) {
            return false;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("ICE {}: selected {} -> {} ({})", localCredentials.ufrag(), selectedAddress, sender,
                    nomination ? "nominated" : "provisional, latest authenticated");
        }
        selectedAddress = sender;
        return true;
    }

    private byte[] encodedAddressOf(InetSocketAddress sender) {
        InetAddress address = sender.getAddress();
        if (address == null) {
            return null;
        }
        if (!address.equals(encodedAddress)) {
            encodedAddress = address;
            encodedAddressBytes = address.getAddress();
        }
        return encodedAddressBytes;
    }

    /**
     * The address media goes to: the nominated one, or before any nomination the latest
     * authenticated sender; null before any authenticated request.
     */
    public InetSocketAddress selectedAddress() {
        return selectedAddress;
    }

    /** Whether the peer has nominated an address (USE-CANDIDATE) yet. */
    public boolean isNominated() {
        return nominated;
    }

    /**
     * Whether consent (RFC 7675) has lapsed: an address was selected, but no authenticated
     * request from the selected address has arrived for the consent timeout. False before any
     * authenticated request.
     */
    public boolean isConsentExpired(long nowNanos) {
        return consentGranted && nowNanos - lastConsentNanos >= consentTimeoutNanos;
    }

    /** How many datagrams ended with {@code outcome}. */
    public long count(BindingRequestOutcome outcome) {
        return outcomeCounts[outcome.ordinal()];
    }

    /** Of the {@link BindingRequestOutcome#DROPPED_MALFORMED} datagrams, how many for {@code reason}. */
    public long malformedCount(StunParseResult reason) {
        return malformedCounts[reason.ordinal()];
    }

    /** Authenticated requests that carried USE-CANDIDATE from a controlling peer. */
    public long nominationCount() {
        return nominationCount;
    }

    /** Authenticated requests whose sender claimed the controlled role (see the class comment). */
    public long peerClaimedControlledCount() {
        return peerClaimedControlledCount;
    }
}
