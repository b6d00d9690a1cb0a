package org.archipelago.media.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.archipelago.media.ice.BindingRequestOutcome;
import org.archipelago.media.ice.IceCredentials;
import org.archipelago.media.ice.IceLiteAgent;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded random and truncated input into {@link StunMessage} and {@link IceLiteAgent}: every
 * datagram must end in a counted outcome, never an exception, never an answer, never a leak.
 * A failure names its seed and case, so it can be replayed.
 */
class StunFuzzTest {
    private static final long SEED = 0x5354554EL;
    private static final int CASES = 5_000;
    private static final String LOCAL_UFRAG = "srvA";
    private static final String LOCAL_PASSWORD = "serverPassword0123456789";
    private static final int FINGERPRINT_TLV_LENGTH = StunAttribute.HEADER_LENGTH + StunAttribute.FINGERPRINT_LENGTH;
    private static final InetSocketAddress SENDER = new InetSocketAddress("192.0.2.10", 50000);

    /** Types the parser interprets, plus a comprehension-required and an optional unknown one. */
    private static final int[] ATTRIBUTE_TYPES = {
        StunAttribute.USERNAME, StunAttribute.MESSAGE_INTEGRITY, StunAttribute.MESSAGE_INTEGRITY_SHA256,
        StunAttribute.XOR_MAPPED_ADDRESS, StunAttribute.PRIORITY, StunAttribute.USE_CANDIDATE,
        StunAttribute.SOFTWARE, StunAttribute.FINGERPRINT, StunAttribute.ICE_CONTROLLED,
        StunAttribute.ICE_CONTROLLING, 0x7FFF, 0xC057,
    };

    private final Random random = new Random(SEED);
    private final StunMessage message = new StunMessage();
    private final StunMessageIntegrity integrity = StunMessageIntegrity.forShortTermPassword(LOCAL_PASSWORD);
    private final StunFingerprint fingerprint = new StunFingerprint();
    private final IceLiteAgent agent = new IceLiteAgent(new IceCredentials(LOCAL_UFRAG, LOCAL_PASSWORD));
    private final ByteBuf response = PooledByteBufAllocator.DEFAULT.directBuffer(256);
    private long datagrams;

    @Test
    void randomBytesAreCountedDrops() {
        try {
            for (int i = 0; i < CASES; i++) {
                byte[] bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
                feed(bytes, "random case " + i);
            }
            assertEquals(datagrams, agent.count(BindingRequestOutcome.DROPPED_MALFORMED)
                    + agent.count(BindingRequestOutcome.DROPPED_NOT_BINDING_REQUEST)
                    + agent.count(BindingRequestOutcome.IGNORED_INDICATION)
                    + droppedAfterParsing());
            assertTrue(agent.malformedCount(StunParseResult.NOT_STUN) > 0);
            assertTrue(agent.malformedCount(StunParseResult.TOO_SHORT) > 0);
        } finally {
            response.release();
        }
    }

    @Test
    void randomAttributesBehindAValidHeaderAreCountedDrops() {
        try {
            for (int i = 0; i < CASES; i++) {
                feed(randomMessage(), "attribute case " + i);
            }
            assertCountsAddUp();
            assertTrue(agent.malformedCount(StunParseResult.ATTRIBUTE_TRUNCATED) > 0);
            assertTrue(agent.malformedCount(StunParseResult.BAD_ATTRIBUTE_LENGTH) > 0);
            assertTrue(agent.malformedCount(StunParseResult.ATTRIBUTE_AFTER_FINGERPRINT) > 0);
            assertTrue(agent.count(BindingRequestOutcome.DROPPED_WRONG_USERNAME)
                    + agent.count(BindingRequestOutcome.DROPPED_NO_USERNAME)
                    + agent.count(BindingRequestOutcome.DROPPED_BAD_FINGERPRINT) > 0,
                    "some messages must get past the parser, or the agent's checks go unfuzzed");
        } finally {
            response.release();
        }
    }

    @Test
    void everyTruncationOfAValidRequestIsMalformed() {
        byte[] valid = validRequest(true);
        try {
            for (int length = 0; length < valid.length; length++) {
                byte[] prefix = new byte[length];
                System.arraycopy(valid, 0, prefix, 0, length);
                feed(prefix, "prefix of " + length);
            }
            assertEquals(valid.length, agent.count(BindingRequestOutcome.DROPPED_MALFORMED));
        } finally {
            response.release();
        }
    }

    @Test
    void corruptedValidRequestsAreNeverAnswered() {
        try {
            long answered = 0;
            for (int i = 0; i < CASES; i++) {
                boolean withFingerprint = random.nextBoolean();
                byte[] bytes = validRequest(withFingerprint);
                // MESSAGE-INTEGRITY covers everything but a trailing FINGERPRINT attribute.
                int integrityEnd = bytes.length - (withFingerprint ? FINGERPRINT_TLV_LENGTH : 0);
                int firstFlip = bytes.length;
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int index = random.nextInt(bytes.length);
                    firstFlip = Math.min(firstFlip, index);
                    bytes[index] ^= (byte) (1 + random.nextInt(255));
                }
                if (feed(bytes, "corruption case " + i, firstFlip >= integrityEnd).responded()) {
                    // RFC 8489 §14.5: what follows MESSAGE-INTEGRITY is ignored, so a FINGERPRINT
                    // whose type was corrupted is an unknown attribute after MI, and the
                    // authenticated request is still answered. Nothing authenticated changed.
                    answered++;
                }
            }
            assertCountsAddUp();
            assertTrue(answered < CASES / 10, "only corruptions of a FINGERPRINT type may be answered");
            // The same request uncorrupted is answered: the drops above are the corruption's doing.
            ByteBuf intact = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(validRequest(true));
            try {
                assertTrue(agent.handleBindingRequest(intact, SENDER, 0, response).responded());
            } finally {
                intact.release();
            }
        } finally {
            response.release();
        }
    }

    /** Feeds one datagram that must not be answered to the parser and then to the agent. */
    private void feed(byte[] bytes, String description) {
        feed(bytes, description, false);
    }

    /** Feeds one datagram to the parser (exercising every accessor) and then to the agent. */
    private BindingRequestOutcome feed(byte[] bytes, String description, boolean mayBeAnswered) {
        ByteBuf buf = datagrams % 2 == 0
                ? PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length)
                : UnpooledByteBufAllocator.DEFAULT.heapBuffer(bytes.length);
        datagrams++;
        try {
            buf.writeBytes(bytes);
            String context = "seed " + SEED + ", " + description;
            if (message.wrap(buf) == StunParseResult.VALID) {
                exerciseAccessors(context);
            }
            int before = response.writerIndex();
            BindingRequestOutcome outcome = agent.handleBindingRequest(buf, SENDER, 0, response);
            if (!mayBeAnswered) {
                assertFalse(outcome.responded(), context + " was answered");
                assertEquals(before, response.writerIndex(), context);
            }
            assertEquals(0, buf.readerIndex(), context);
            return outcome;
        } finally {
            buf.release();
        }
    }

    private void exerciseAccessors(String context) {
        message.messageType();
        message.messageClass();
        message.method();
        message.transactionIdEquals(message.transactionIdHigh(), message.transactionIdLow());
        message.copyTransactionId(new byte[StunMessage.TRANSACTION_ID_LENGTH], 0);
        message.usernameEquals(new byte[] {'a'});
        message.usernameHasLocalPart(new byte[] {'a'});
        message.usernameLocalPart();
        if (message.hasPriority()) {
            message.priority();
        }
        message.tieBreaker();
        if (message.xorMappedAddressFamily() != 0) {
            message.xorMappedPort();
            assertNotEquals(null, message.xorMappedAddress(), context);
        }
        integrity.verify(message);
        fingerprint.verify(message);
    }

    /** A header with a matching length, then 0 to 6 attributes of random type and length. */
    private byte[] randomMessage() {
        ByteBuf buf = UnpooledByteBufAllocator.DEFAULT.heapBuffer(512);
        try {
            buf.writeShort(random.nextInt(4) == 0 ? random.nextInt(0x4000) : StunMessage.BINDING_REQUEST);
            buf.writeShort(0);
            buf.writeInt(StunMessage.MAGIC_COOKIE);
            buf.writeInt(random.nextInt());
            buf.writeLong(random.nextLong());
            int attributes = random.nextInt(7);
            for (int a = 0; a < attributes; a++) {
                int type = ATTRIBUTE_TYPES[random.nextInt(ATTRIBUTE_TYPES.length)];
                int length = random.nextInt(3) == 0 ? random.nextInt(40) : plausibleLength(type);
                byte[] value = new byte[length];
                random.nextBytes(value);
                if (type == StunAttribute.USERNAME && random.nextBoolean()) {
                    value = (LOCAL_UFRAG + ":peer").getBytes();
                } else if (type == StunAttribute.XOR_MAPPED_ADDRESS && length > 1 && random.nextBoolean()) {
                    value[1] = (byte) (1 + random.nextInt(2));
                }
                buf.writeShort(type);
                buf.writeShort(value.length);
                buf.writeBytes(value);
                // Mostly correct padding; sometimes none, so the value overruns the message.
                if (random.nextInt(8) != 0) {
                    buf.writeZero(StunAttribute.paddedLength(value.length) - value.length);
                }
            }
            int messageLength = buf.readableBytes() - StunMessage.HEADER_LENGTH;
            // Mostly the true length; sometimes a wrong one, to reach the length checks too.
            buf.setShort(2, random.nextInt(8) != 0 ? messageLength : random.nextInt(0x10000));
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    private int plausibleLength(int type) {
        switch (type) {
            case StunAttribute.MESSAGE_INTEGRITY: return StunAttribute.MESSAGE_INTEGRITY_LENGTH;
            case StunAttribute.FINGERPRINT: return StunAttribute.FINGERPRINT_LENGTH;
            case StunAttribute.PRIORITY: return StunAttribute.PRIORITY_LENGTH;
            case StunAttribute.USE_CANDIDATE: return 0;
            case StunAttribute.ICE_CONTROLLED:
            case StunAttribute.ICE_CONTROLLING: return StunAttribute.TIE_BREAKER_LENGTH;
            case StunAttribute.XOR_MAPPED_ADDRESS:
                return random.nextBoolean() ? StunAttribute.XOR_MAPPED_ADDRESS_IPV4_LENGTH
                        : StunAttribute.XOR_MAPPED_ADDRESS_IPV6_LENGTH;
            default: return random.nextInt(24);
        }
    }

    private byte[] validRequest(boolean withFingerprint) {
        ByteBuf buf = UnpooledByteBufAllocator.DEFAULT.heapBuffer(128);
        try {
            StunMessageWriter writer = new StunMessageWriter()
                    .begin(buf, StunMessage.BINDING_REQUEST, random.nextInt(), random.nextLong())
                    .username((LOCAL_UFRAG + ":peer").getBytes())
                    .priority(0x6e0001ffL)
                    .iceControlling(random.nextLong())
                    .useCandidate()
                    .messageIntegrity(integrity);
            if (withFingerprint) {
                writer.fingerprint();
            }
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    private long droppedAfterParsing() {
        long sum = 0;
        for (BindingRequestOutcome outcome : BindingRequestOutcome.values()) {
            if (outcome != BindingRequestOutcome.DROPPED_MALFORMED
                    && outcome != BindingRequestOutcome.DROPPED_NOT_BINDING_REQUEST
                    && outcome != BindingRequestOutcome.IGNORED_INDICATION) {
                sum += agent.count(outcome);
            }
        }
        return sum;
    }

    private void assertCountsAddUp() {
        long sum = 0;
        for (BindingRequestOutcome outcome : BindingRequestOutcome.values()) {
            sum += agent.count(outcome);
        }
        assertEquals(datagrams, sum, "every datagram must be counted exactly once");
        long malformed = 0;
        for (StunParseResult reason : StunParseResult.values()) {
            malformed += agent.malformedCount(reason);
        }
        assertEquals(agent.count(BindingRequestOutcome.DROPPED_MALFORMED), malformed);
    }
}
