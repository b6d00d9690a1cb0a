package org.archipelago.media.ice;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.archipelago.media.stun.StunBindingClient;
import org.archipelago.media.stun.StunBindingClient.ResponseOutcome;
import org.archipelago.media.stun.StunMessage;
import org.archipelago.media.stun.StunMessageIntegrity;
import org.archipelago.media.stun.StunMessageWriter;
import org.archipelago.media.stun.StunParseResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link IceLiteAgent} against {@link StunBindingClient} peers, on a virtual clock. */
class IceLiteAgentTest {
    private static final String LOCAL_UFRAG = "srvA";
    private static final String LOCAL_PASSWORD = "serverPassword0123456789";
    private static final String REMOTE_UFRAG = "peer";
    private static final String REMOTE_PASSWORD = "peerPassword0123456789+/";
    private static final long PRIORITY = 0x6e0001ffL;
    private static final long TIE_BREAKER = 0x1122334455667788L;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static final InetSocketAddress HOST_A = new InetSocketAddress("192.0.2.10", 50000);
    private static final InetSocketAddress HOST_B = new InetSocketAddress("2001:db8::20", 50001);

    private final IceLiteAgent agent = new IceLiteAgent(new IceCredentials(LOCAL_UFRAG, LOCAL_PASSWORD));
    private final StunBindingClient peer = client(REMOTE_UFRAG, LOCAL_UFRAG, LOCAL_PASSWORD);
    private final List<ByteBuf> buffers = new ArrayList<>();
    private long nowNanos = 1_000 * SECOND; // an arbitrary origin, not 0, so no logic can lean on it

    @AfterEach
    void releaseBuffers() {
        buffers.forEach(ByteBuf::release);
    }

    @Test
    void answersAnAuthenticatedRequestWithAResponseThePeerAccepts() {
        agent.setRemoteCredentials(new IceCredentials(REMOTE_UFRAG, REMOTE_PASSWORD));
        for (InetSocketAddress sender : List.of(HOST_A, HOST_B)) {
            ByteBuf request = buffer();
            peer.writeRequest(request, PRIORITY, false);
            ByteBuf response = buffer();

            BindingRequestOutcome outcome = agent.handleBindingRequest(request, sender, nowNanos, response);

            assertTrue(outcome.responded(), outcome.toString());
            assertEquals(0, request.readerIndex(), "the agent must not consume the request");
            assertEquals(1, request.refCnt(), "the agent must not release the request");
            assertEquals(ResponseOutcome.ACCEPTED, peer.readResponse(response));
            assertEquals(sender, peer.mappedAddress(), "XOR-MAPPED-ADDRESS is the request's source");
        }
    }

    @Test
    void acceptsAnyRemoteUfragUntilTheRemoteCredentialsAreKnown() {
        StunBindingClient stranger = client("zzzz", LOCAL_UFRAG, LOCAL_PASSWORD);
        assertTrue(send(stranger, HOST_A, false).responded());

        agent.setRemoteCredentials(new IceCredentials(REMOTE_UFRAG, REMOTE_PASSWORD));

        assertEquals(BindingRequestOutcome.DROPPED_WRONG_USERNAME, send(stranger, HOST_A, false));
        assertTrue(send(peer, HOST_A, false).responded());
    }

    @Test
    void wrongPasswordIsDroppedSilentlyAndCounted() {
        StunBindingClient impostor = client(REMOTE_UFRAG, LOCAL_UFRAG, "notTheServerPassword0123");
        assertDroppedSilently(impostor, BindingRequestOutcome.DROPPED_BAD_MESSAGE_INTEGRITY);
    }

    @Test
    void wrongLocalUfragIsDroppedSilentlyAndCounted() {
        StunBindingClient lost = client(REMOTE_UFRAG, "srvB", LOCAL_PASSWORD);
        assertDroppedSilently(lost, BindingRequestOutcome.DROPPED_WRONG_USERNAME);
    }

    @Test
    void requestWithoutMessageIntegrityIsDroppedSilentlyAndCounted() {
        assertHandcraftedDropped(BindingRequestOutcome.DROPPED_NO_MESSAGE_INTEGRITY, w -> w
                .username(ascii(LOCAL_UFRAG + ":" + REMOTE_UFRAG)).priority(PRIORITY).fingerprint());
    }

    @Test
    void requestWithoutUsernameIsDroppedSilentlyAndCounted() {
        StunMessageIntegrity key = StunMessageIntegrity.forShortTermPassword(LOCAL_PASSWORD);
        assertHandcraftedDropped(BindingRequestOutcome.DROPPED_NO_USERNAME, w -> w
                .priority(PRIORITY).messageIntegrity(key).fingerprint());
    }

    @Test
    void badFingerprintIsDroppedSilentlyAndCounted() {
        ByteBuf request = buffer();
        peer.writeRequest(request, PRIORITY, true);
        int last = request.writerIndex() - 1;
        request.setByte(last, request.getByte(last) ^ 0x01);
        ByteBuf response = buffer();

        assertEquals(BindingRequestOutcome.DROPPED_BAD_FINGERPRINT,
                agent.handleBindingRequest(request, HOST_A, nowNanos, response));
        assertNothingSentAndNothingSelected(response, BindingRequestOutcome.DROPPED_BAD_FINGERPRINT);
    }

    @Test
    void malformedStunIsDroppedAndCountedByParseReason() {
        ByteBuf rtpLike = buffer().writeBytes(new byte[] {(byte) 0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0});
        ByteBuf response = buffer();

        assertEquals(BindingRequestOutcome.DROPPED_MALFORMED,
                agent.handleBindingRequest(rtpLike, HOST_A, nowNanos, response));
        assertEquals(1, agent.malformedCount(StunParseResult.NOT_STUN));
        assertNothingSentAndNothingSelected(response, BindingRequestOutcome.DROPPED_MALFORMED);
    }

    @Test
    void indicationsAndResponsesAreNotAnswered() {
        StunMessageWriter writer = new StunMessageWriter();
        ByteBuf indication = buffer();
        writer.begin(indication, StunMessage.BINDING_INDICATION, 1, 2).fingerprint();
        ByteBuf strayResponse = buffer();
        writer.begin(strayResponse, StunMessage.BINDING_SUCCESS_RESPONSE, 3, 4)
                .xorMappedAddress(new byte[] {10, 0, 0, 1}, 9).fingerprint();
        ByteBuf response = buffer();

        assertEquals(BindingRequestOutcome.IGNORED_INDICATION,
                agent.handleBindingRequest(indication, HOST_A, nowNanos, response));
        assertEquals(BindingRequestOutcome.DROPPED_NOT_BINDING_REQUEST,
                agent.handleBindingRequest(strayResponse, HOST_A, nowNanos, response));
        assertEquals(0, response.readableBytes());
        assertEquals(1, agent.count(BindingRequestOutcome.IGNORED_INDICATION));
        assertEquals(1, agent.count(BindingRequestOutcome.DROPPED_NOT_BINDING_REQUEST));
    }

    @Test
    void responseBufferThatCannotHoldTheResponseIsADropNotAnException() {
        ByteBuf request = buffer();
        peer.writeRequest(request, PRIORITY, true);
        ByteBuf tiny = Unpooled.buffer(0, 16);
        buffers.add(tiny);

        assertEquals(BindingRequestOutcome.DROPPED_RESPONSE_BUFFER_TOO_SMALL,
                agent.handleBindingRequest(request, HOST_A, nowNanos, tiny));
        assertEquals(0, tiny.readableBytes());
        assertNull(agent.selectedAddress());
    }

    @Test
    void unresolvedSenderIsADropNotAnException() {
        ByteBuf request = buffer();
        peer.writeRequest(request, PRIORITY, true);
        ByteBuf response = buffer();

        assertEquals(BindingRequestOutcome.DROPPED_UNRESOLVED_SENDER, agent.handleBindingRequest(request,
                InetSocketAddress.createUnresolved("peer.example", 5000), nowNanos, response));
        assertNothingSentAndNothingSelected(response, BindingRequestOutcome.DROPPED_UNRESOLVED_SENDER);
    }

    @Test
    void latestAuthenticatedSenderIsSelectedUntilANominationThenOnlyNominationsMoveIt() {
        assertEquals(BindingRequestOutcome.RESPONDED_SELECTED_ADDRESS_CHANGED, send(peer, HOST_A, false));
        assertEquals(HOST_A, agent.selectedAddress());
        assertFalse(agent.isNominated());

        assertEquals(BindingRequestOutcome.RESPONDED_SELECTED_ADDRESS_CHANGED, send(peer, HOST_B, false));
        assertEquals(HOST_B, agent.selectedAddress(), "provisional selection follows the latest check");

        assertEquals(BindingRequestOutcome.RESPONDED, send(peer, HOST_B, true));
        assertTrue(agent.isNominated());
        assertEquals(HOST_B, agent.selectedAddress());

        assertEquals(BindingRequestOutcome.RESPONDED, send(peer, HOST_A, false));
        assertEquals(HOST_B, agent.selectedAddress(), "an un-nominated check must not move a nominated pair");

        assertEquals(BindingRequestOutcome.RESPONDED_SELECTED_ADDRESS_CHANGED, send(peer, HOST_A, true));
        assertEquals(HOST_A, agent.selectedAddress(), "a new nomination moves the selection (RFC 8445 §7.3.1.5)");
        assertEquals(2, agent.nominationCount());
        assertEquals(5, agent.count(BindingRequestOutcome.RESPONDED)
                + agent.count(BindingRequestOutcome.RESPONDED_SELECTED_ADDRESS_CHANGED));
    }

    @Test
    void firstNominationOfANewAddressReportsTheChange() {
        assertEquals(BindingRequestOutcome.RESPONDED_SELECTED_ADDRESS_CHANGED, send(peer, HOST_B, true));
        assertEquals(HOST_B, agent.selectedAddress());
        assertTrue(agent.isNominated());
    }

    @Test
    void peerClaimingTheControlledRoleIsAnsweredButCannotNominate() {
        StunMessageWriter writer = new StunMessageWriter();
        StunMessageIntegrity key = StunMessageIntegrity.forShortTermPassword(LOCAL_PASSWORD);
        ByteBuf request = buffer();
        writer.begin(request, StunMessage.BINDING_REQUEST, 7, 8)
                .username(ascii(LOCAL_UFRAG + ":" + REMOTE_UFRAG))
                .priority(PRIORITY)
                .iceControlled(TIE_BREAKER)
                .useCandidate()
                .messageIntegrity(key)
                .fingerprint();
        ByteBuf response = buffer();

        BindingRequestOutcome outcome = agent.handleBindingRequest(request, HOST_A, nowNanos, response);

        assertTrue(outcome.responded());
        assertFalse(agent.isNominated());
        assertEquals(0, agent.nominationCount());
        assertEquals(1, agent.peerClaimedControlledCount());
    }

    @Test
    void consentExpiresAfterThirtySecondsOfSilenceAndNotBefore() {
        assertFalse(agent.isConsentExpired(nowNanos), "no consent yet, so none to expire");
        send(peer, HOST_A, true);
        long granted = nowNanos;

        assertFalse(agent.isConsentExpired(granted + 30 * SECOND - 1));
        assertTrue(agent.isConsentExpired(granted + 30 * SECOND));
    }

    @Test
    void everyAuthenticatedRequestFromTheSelectedAddressRefreshesConsent() {
        send(peer, HOST_A, true);
        nowNanos += 20 * SECOND;
        send(peer, HOST_A, false);
        long refreshed = nowNanos;

        assertFalse(agent.isConsentExpired(refreshed + 30 * SECOND - 1));
        assertTrue(agent.isConsentExpired(refreshed + 30 * SECOND));
    }

    @Test
    void requestsFromOtherAddressesOrUnauthenticatedOnesDoNotRefreshConsent() {
        send(peer, HOST_A, true);
        long granted = nowNanos;
        nowNanos += 20 * SECOND;
        assertEquals(BindingRequestOutcome.RESPONDED, send(peer, HOST_B, false));
        assertEquals(BindingRequestOutcome.DROPPED_BAD_MESSAGE_INTEGRITY,
                send(client(REMOTE_UFRAG, LOCAL_UFRAG, "notTheServerPassword0123"), HOST_A, false));

        assertTrue(agent.isConsentExpired(granted + 30 * SECOND));
    }

    @Test
    void consentTimeoutIsConfigurable() {
        IceLiteAgent quick = new IceLiteAgent(new IceCredentials(LOCAL_UFRAG, LOCAL_PASSWORD), 5 * SECOND);
        ByteBuf request = buffer();
        peer.writeRequest(request, PRIORITY, true);
        assertTrue(quick.handleBindingRequest(request, HOST_A, nowNanos, buffer()).responded());

        assertFalse(quick.isConsentExpired(nowNanos + 5 * SECOND - 1));
        assertTrue(quick.isConsentExpired(nowNanos + 5 * SECOND));
    }

    @Test
    void generatedCredentialsAreIceCharsOfSafeLengthsAndDiffer() {
        SecureRandom random = new SecureRandom();
        IceCredentials first = IceCredentials.generate(random);
        IceCredentials second = IceCredentials.generate(random);

        for (IceCredentials credentials : List.of(first, second)) {
            assertTrue(credentials.ufrag().length() >= IceCredentials.MIN_UFRAG_LENGTH);
            assertTrue(credentials.password().length() >= IceCredentials.MIN_PASSWORD_LENGTH);
            assertTrue((credentials.ufrag() + credentials.password()).chars().allMatch(c -> IceCredentials.isIceChar((char) c)));
            assertFalse(credentials.toString().contains(credentials.password()), "passwords stay out of logs");
        }
        assertNotEquals(first.ufrag(), second.ufrag());
        assertNotEquals(first.password(), second.password());
    }

    @Test
    void credentialsOutsideRfc8839AreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new IceCredentials("abc", LOCAL_PASSWORD));
        assertThrows(IllegalArgumentException.class, () -> new IceCredentials(LOCAL_UFRAG, "tooShort0123456789012"));
        assertThrows(IllegalArgumentException.class, () -> new IceCredentials("ab:c", LOCAL_PASSWORD));
        assertThrows(IllegalArgumentException.class, () -> new IceCredentials(LOCAL_UFRAG, LOCAL_PASSWORD + "="));
    }

    @Test
    void agentWithGeneratedCredentialsAnswersAPeerThatKnowsThem() {
        IceLiteAgent generated = IceLiteAgent.withGeneratedCredentials(new SecureRandom());
        IceCredentials local = generated.localCredentials();
        StunBindingClient client = client(REMOTE_UFRAG, local.ufrag(), local.password());
        ByteBuf request = buffer();
        client.writeRequest(request, PRIORITY, true);
        ByteBuf response = buffer();

        assertTrue(generated.handleBindingRequest(request, HOST_A, nowNanos, response).responded());
        assertEquals(ResponseOutcome.ACCEPTED, client.readResponse(response));
    }

    private BindingRequestOutcome send(StunBindingClient client, InetSocketAddress sender, boolean nominate) {
        ByteBuf request = buffer();
        client.writeRequest(request, PRIORITY, nominate);
        ByteBuf response = buffer();
        BindingRequestOutcome outcome = agent.handleBindingRequest(request, sender, nowNanos, response);
        if (outcome.responded()) {
            assertEquals(ResponseOutcome.ACCEPTED, client.readResponse(response));
        } else {
            assertEquals(0, response.readableBytes(), "a dropped request must get no answer");
        }
        return outcome;
    }

    private void assertDroppedSilently(StunBindingClient sender, BindingRequestOutcome expected) {
        agent.setRemoteCredentials(new IceCredentials(REMOTE_UFRAG, REMOTE_PASSWORD));
        ByteBuf request = buffer();
        sender.writeRequest(request, PRIORITY, true);
        ByteBuf response = buffer();

        assertEquals(expected, agent.handleBindingRequest(request, HOST_A, nowNanos, response));
        assertNothingSentAndNothingSelected(response, expected);
    }

    private void assertHandcraftedDropped(BindingRequestOutcome expected, Consumer<StunMessageWriter> attributes) {
        StunMessageWriter writer = new StunMessageWriter();
        ByteBuf request = buffer();
        attributes.accept(writer.begin(request, StunMessage.BINDING_REQUEST, 5, 6));
        ByteBuf response = buffer();

        assertEquals(expected, agent.handleBindingRequest(request, HOST_A, nowNanos, response));
        assertNothingSentAndNothingSelected(response, expected);
    }

    private void assertNothingSentAndNothingSelected(ByteBuf response, BindingRequestOutcome expected) {
        assertEquals(0, response.readableBytes(), "no answer to an unauthenticated or malformed request");
        assertEquals(1, agent.count(expected));
        assertNull(agent.selectedAddress());
        assertFalse(agent.isNominated());
        assertFalse(agent.isConsentExpired(nowNanos + 3600 * SECOND), "no consent was ever granted");
    }

    private static StunBindingClient client(String clientUfrag, String agentUfrag, String agentPassword) {
        return new StunBindingClient(clientUfrag, agentUfrag, agentPassword, TIE_BREAKER, new Random(42));
    }

    private ByteBuf buffer() {
        ByteBuf buf = buffers.size() % 2 == 0
                ? PooledByteBufAllocator.DEFAULT.directBuffer(StunMessageWriter.BINDING_SUCCESS_RESPONSE_MAX_LENGTH)
                : UnpooledByteBufAllocator.DEFAULT.heapBuffer(StunMessageWriter.BINDING_SUCCESS_RESPONSE_MAX_LENGTH);
        buffers.add(buf);
        return buf;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
