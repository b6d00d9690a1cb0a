package org.archipelago.media.sdp;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCSignalingState;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.AudioOptions;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Offers and answers cross the wire, so a real peer judges them: native libwebrtc (webrtc-java) makes offers
 * that Archipelago answers, and answers the offers of Archipelago's own peers; each side must accept the
 * other's description and agree on directions, codecs and tracks.
 */
class SdpLibwebrtcInteropTest {
    private static final long TIMEOUT_SECONDS = 10;

    private PeerConnectionFactory factory;
    private RTCPeerConnection peer;
    private final Set<String> remoteTrackMids = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void createPeer() {
        // webrtc-java is a test dependency only for linux-x86_64 in media-core's pom.
        assumeTrue("amd64".equals(System.getProperty("os.arch")) && "Linux".equals(System.getProperty("os.name")),
                "native libwebrtc is available for linux-x86_64 only");
        factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
        peer = factory.createPeerConnection(new RTCConfiguration(), new PeerConnectionObserver() {
            @Override
            public void onIceCandidate(RTCIceCandidate candidate) {
            }

            @Override
            public void onTrack(RTCRtpTransceiver transceiver) {
                remoteTrackMids.add(transceiver.getMid());
            }
        });
    }

    @AfterEach
    void closePeer() {
        if (peer != null) {
            peer.close();
        }
        if (factory != null) {
            factory.dispose();
        }
    }

    @Test
    void publisherOfferWithDataChannelIsAnsweredAndAccepted() throws Exception {
        addTransceivers(RTCRtpTransceiverDirection.SEND_RECV);
        peer.createDataChannel("chat", new RTCDataChannelInit());
        SessionDescription offer = SdpParser.parse(createAndSetLocalOffer());

        SdpAnswer answer = answerer(offer)
                .sendStream("0", SendStream.withoutRtx(1001, "archcname", "room-1", "peer-2-audio"))
                .sendStream("1", SendStream.withRtx(1002, 1003, "archcname", "room-1", "peer-2-video"))
                .build();
        setRemoteAnswer(answer.toSdp());

        assertEquals(RTCSignalingState.STABLE, peer.getSignalingState());
        assertEquals(List.of("2"), answer.rejectedMids(), "the data channel is rejected for now");
        RTCRtpTransceiver[] transceivers = peer.getTransceivers();
        assertEquals(RTCRtpTransceiverDirection.SEND_RECV, transceivers[0].getCurrentDirection());
        assertEquals(RTCRtpTransceiverDirection.SEND_RECV, transceivers[1].getCurrentDirection());
        assertEquals(Set.of("0", "1"), remoteTrackMids);
        int preferredVideo = answer.negotiated("1").primaryCodecs().get(0).payloadType();
        assertEquals(preferredVideo, transceivers[1].getSender().getParameters().codecs.get(0).payloadType,
                "libwebrtc sends the server's preferred codec");
        assertEquals("VP8", answer.negotiated("1").codec(preferredVideo).name());
    }

    @Test
    void subscriberOfferIsAnsweredSendonlyWithTheServersStreams() throws Exception {
        addTransceivers(RTCRtpTransceiverDirection.RECV_ONLY);
        SessionDescription offer = SdpParser.parse(createAndSetLocalOffer());

        SdpAnswer answer = answerer(offer)
                .sendStream("0", SendStream.withoutRtx(2001, "archcname", "publisher-9", "audio-9"))
                .sendStream("1", SendStream.withRtx(2002, 2003, "archcname", "publisher-9", "video-9"))
                .build();
        setRemoteAnswer(answer.toSdp());

        assertEquals(Direction.SENDONLY, answer.negotiated("1").direction());
        assertEquals(RTCRtpTransceiverDirection.RECV_ONLY, peer.getTransceivers()[0].getCurrentDirection());
        assertEquals(RTCRtpTransceiverDirection.RECV_ONLY, peer.getTransceivers()[1].getCurrentDirection());
        assertEquals(Set.of("0", "1"), remoteTrackMids);
    }

    @Test
    void publisherOfferAnsweredRecvonlyStopsTheServerSending() throws Exception {
        addTransceivers(RTCRtpTransceiverDirection.SEND_RECV);
        SessionDescription offer = SdpParser.parse(createAndSetLocalOffer());

        SdpAnswer answer = answerer(offer)
                .direction("0", Direction.RECVONLY)
                .direction("1", Direction.RECVONLY)
                .build();
        setRemoteAnswer(answer.toSdp());

        assertEquals(RTCRtpTransceiverDirection.SEND_ONLY, peer.getTransceivers()[0].getCurrentDirection());
        assertEquals(RTCRtpTransceiverDirection.SEND_ONLY, peer.getTransceivers()[1].getCurrentDirection());
        assertTrue(remoteTrackMids.isEmpty());
    }

    @Test
    void libwebrtcAnswersTheOfferOfArchipelagosOwnPeers() throws Exception {
        SessionDescription offer = SdpOfferBuilderTest.relayPeerOffer().build();

        setRemoteOffer(offer.toSdp());
        SessionDescription answer = SdpParser.parse(createAndSetLocalAnswer());

        assertEquals(List.of("a", "v", "w"), answer.media().stream().map(MediaDescription::mid).toList());
        assertEquals(new Group("BUNDLE", List.of("a", "v", "w")), answer.bundleGroup());
        assertEquals(Setup.ACTIVE, answer.setup(answer.media("a")));
        assertEquals(Direction.RECVONLY, answer.media("v").direction());
        for (MediaDescription section : answer.media()) {
            assertTrue(section.port() != 0, "section " + section.mid() + " accepted");
            for (Codec codec : section.codecs()) {
                assertEquals(offer.media(section.mid()).codec(codec.payloadType()).name(), codec.name());
            }
        }
        assertEquals(Set.of("a", "v"), remoteTrackMids, "tracks for the sections the offerer sends in");
    }

    private void addTransceivers(RTCRtpTransceiverDirection direction) {
        RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
        init.direction = direction;
        init.streamIds = List.of("local-stream");
        peer.addTransceiver(factory.createAudioTrack("local-audio", factory.createAudioSource(new AudioOptions())), init);
        peer.addTransceiver(factory.createVideoTrack("local-video", new CustomVideoSource()), init);
    }

    private String createAndSetLocalOffer() throws Exception {
        CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
        peer.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                offer.complete(description);
            }

            @Override
            public void onFailure(String error) {
                offer.completeExceptionally(new AssertionError("createOffer: " + error));
            }
        });
        RTCSessionDescription description = offer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        CompletableFuture<Void> set = new CompletableFuture<>();
        peer.setLocalDescription(description, observer(set, "setLocalDescription"));
        set.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return description.sdp;
    }

    private void setRemoteOffer(String offer) throws Exception {
        CompletableFuture<Void> set = new CompletableFuture<>();
        peer.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offer),
                observer(set, "setRemoteDescription of\n" + offer));
        set.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private String createAndSetLocalAnswer() throws Exception {
        CompletableFuture<RTCSessionDescription> answer = new CompletableFuture<>();
        peer.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                answer.complete(description);
            }

            @Override
            public void onFailure(String error) {
                answer.completeExceptionally(new AssertionError("createAnswer: " + error));
            }
        });
        RTCSessionDescription description = answer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        CompletableFuture<Void> set = new CompletableFuture<>();
        peer.setLocalDescription(description, observer(set, "setLocalDescription"));
        set.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return description.sdp;
    }

    private void setRemoteAnswer(String answer) throws Exception {
        CompletableFuture<Void> set = new CompletableFuture<>();
        peer.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, answer),
                observer(set, "setRemoteDescription of\n" + answer));
        set.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static SetSessionDescriptionObserver observer(CompletableFuture<Void> done, String what) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                done.complete(null);
            }

            @Override
            public void onFailure(String error) {
                done.completeExceptionally(new AssertionError(what + ": " + error));
            }
        };
    }

    private static SdpAnswerBuilder answerer(SessionDescription offer) {
        return new SdpAnswerBuilder(offer)
                .iceCredentials("srv1", "serverpassword0123456789")
                .fingerprint(new Fingerprint("sha-256",
                        "0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0:0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0"))
                .hostCandidates(List.of(new HostCandidate("127.0.0.1", 40000)));
    }
}
