package org.archipelago.media.stun;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The controlling side of ICE connectivity checks, reduced to what Archipelago's own test peers
 * and server-to-server links need: write a Binding request (RFC 8445 §7.2.2) and check the
 * Binding success response to it (RFC 8445 §7.2.5, RFC 8489 §9.1.4).
 *
 * <p>One transaction is outstanding at a time: writing a request forgets the previous one, so a
 * late response to it is refused as {@link ResponseOutcome#UNKNOWN_TRANSACTION}. Retransmission
 * timing is the caller's. Owned by one thread.
 */
public final class StunBindingClient {

    /** What {@link #readResponse} made of a datagram. */
    public enum ResponseOutcome {
        ACCEPTED,
        MALFORMED,
        /** Valid STUN but not a Binding success response (e.g. an error response). */
        NOT_BINDING_SUCCESS,
        /** Not the transaction of the last request written. */
        UNKNOWN_TRANSACTION,
        NO_MESSAGE_INTEGRITY,
        BAD_MESSAGE_INTEGRITY,
        BAD_FINGERPRINT,
        NO_MAPPED_ADDRESS;

        public static final int COUNT = values().length;
    }

    private final byte[] username;
    private final long tieBreaker;
    private final Random random;
    private final StunMessageIntegrity remotePassword;
    private final StunFingerprint fingerprint = new StunFingerprint();
    private final StunMessageWriter writer = new StunMessageWriter();
    private final StunMessage response = new StunMessage();
    private final long[] outcomeCounts = new long[ResponseOutcome.COUNT];

    private boolean outstanding;
    private int transactionIdHigh;
    private long transactionIdLow;
    private InetSocketAddress mappedAddress;

    /**
     * @param localUfrag     this side's ufrag
     * @param remoteUfrag    the answering agent's ufrag
     * @param remotePassword the answering agent's password, which keys both directions
     * @param tieBreaker     this agent's ICE-CONTROLLING tie-breaker
     * @param random         source of transaction ids; a {@code SecureRandom} outside tests
     *                       (RFC 8489 §6 wants them unpredictable)
     */
    public StunBindingClient(String localUfrag, String remoteUfrag, String remotePassword,
                             long tieBreaker, Random random) {
        this.username = (remoteUfrag + ':' + localUfrag).getBytes(StandardCharsets.UTF_8);
        this.tieBreaker = tieBreaker;
        this.random = random;
        this.remotePassword = StunMessageIntegrity.forShortTermPassword(remotePassword);
    }

    /**
     * Writes a new Binding request at {@code out}'s writer index and makes it the outstanding
     * transaction.
     *
     * @param priority the PRIORITY of the local candidate (RFC 8445 §7.1.1)
     * @param nominate whether to add USE-CANDIDATE
     * @return the number of bytes written
     */
    public int writeRequest(ByteBuf out, long priority, boolean nominate) {
        transactionIdHigh = random.nextInt();
        transactionIdLow = random.nextLong();
        outstanding = true;
        return writer.writeBindingRequest(out, transactionIdHigh, transactionIdLow, username, priority,
                tieBreaker, nominate, remotePassword);
    }

    /**
     * Checks the readable bytes of {@code datagram} as the response to the outstanding request.
     * Does not consume or release the buffer.
     */
    public ResponseOutcome readResponse(ByteBuf datagram) {
        ResponseOutcome outcome = check(datagram);
        outcomeCounts[outcome.ordinal()]++;
        if (outcome == ResponseOutcome.ACCEPTED) {
            outstanding = false;
            mappedAddress = response.xorMappedAddress();
        }
        return outcome;
    }

    private ResponseOutcome check(ByteBuf datagram) {
        if (response.wrap(datagram) != StunParseResult.VALID) {
            return ResponseOutcome.MALFORMED;
        }
        if (response.messageType() != StunMessage.BINDING_SUCCESS_RESPONSE) {
            return ResponseOutcome.NOT_BINDING_SUCCESS;
        }
        if (!outstanding || !response.transactionIdEquals(transactionIdHigh, transactionIdLow)) {
            return ResponseOutcome.UNKNOWN_TRANSACTION;
        }
        if (response.hasFingerprint() && !fingerprint.verify(response)) {
            return ResponseOutcome.BAD_FINGERPRINT;
        }
        if (!response.hasMessageIntegrity()) {
            return ResponseOutcome.NO_MESSAGE_INTEGRITY;
        }
        if (!remotePassword.verify(response)) {
            return ResponseOutcome.BAD_MESSAGE_INTEGRITY;
        }
        if (response.xorMappedAddressFamily() == 0) {
            return ResponseOutcome.NO_MAPPED_ADDRESS;
        }
        return ResponseOutcome.ACCEPTED;
    }

    /** The XOR-MAPPED-ADDRESS of the last accepted response, or null before one. */
    public InetSocketAddress mappedAddress() {
        return mappedAddress;
    }

    /** How many responses ended with {@code outcome}. */
    public long count(ResponseOutcome outcome) {
        return outcomeCounts[outcome.ordinal()];
    }
}
