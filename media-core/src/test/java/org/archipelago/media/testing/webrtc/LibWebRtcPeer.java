package org.archipelago.media.testing.webrtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceConnectionState;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpCodecCapability;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.MediaType;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioDeviceModuleBase;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A real libwebrtc peer (Chrome's WebRTC stack, through webrtc-java 0.14.0) for tests that cross
 * the wire: it sends generated video and audio, receives and decodes what the other side sends,
 * and reports libwebrtc's own stats.
 *
 * <pre>{@code
 * try (LibWebRtcPeer peer = LibWebRtcPeer.create(LibWebRtcPeer.Options.defaults())) {
 *     String answer = server.answer(peer.createOffer());   // full gathering, no trickle
 *     peer.setAnswer(answer);
 *     peer.awaitConnected(Duration.ofSeconds(5));
 *     PeerStats stats = peer.awaitStats(s -> s.videoFramesDecoded() > 0, Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <h2>What we found out about webrtc-java 0.14.0</h2>
 * <ul>
 * <li><b>Audio device.</b> {@code new PeerConnectionFactory()} opens the platform audio device
 *   (PulseAudio through libpulse on Linux) and fails on a host without one. Two modules need no
 *   sound system. {@code new AudioDeviceModule(AudioLayer.kDummyAudio)} does nothing at all: the
 *   inbound audio stats that count decoding ({@code totalSamplesReceived}, {@code concealedSamples},
 *   {@code totalAudioEnergy}) stay 0 however many packets arrive. {@code new
 *   HeadlessAudioDeviceModule()} runs a playout thread that pulls received audio through the
 *   decoder every 10 ms, so those stats are real; but it also runs a capture thread that feeds
 *   the send stream, and a {@link CustomAudioSource} pushing into the same stream from another
 *   thread trips libwebrtc's race check in {@code audio_send_stream.cc} (the JVM aborts). So a
 *   peer that sends audio uses the dummy module, and a peer that only receives it the headless
 *   one. Audio is sent from a {@code CustomAudioSource} fed 10 ms of a 440 Hz tone every 10 ms
 *   ({@code pushAudio(pcm, bitsPerSample, sampleRate, channels, frames)}, 16-bit little-endian
 *   PCM).</li>
 * <li><b>Loopback.</b> libwebrtc ignores loopback interfaces when it enumerates adapters (its
 *   default network ignore mask is {@code ADAPTER_TYPE_LOOPBACK}), and 0.14.0 exposes neither
 *   {@code PeerConnectionFactory.Options.networkIgnoreMask} nor field trials, so there is no way
 *   to gather a 127.0.0.1 candidate. Instead, in {@linkplain Options#loopbackOnly loopback-only}
 *   mode (the default), {@code PORTALLOCATOR_DISABLE_ADAPTER_ENUMERATION} makes libwebrtc bind
 *   one UDP socket to 0.0.0.0 and advertise the default route's source address with its port, and
 *   {@link LoopbackCandidates} rewrites that to 127.0.0.1 in the SDP this class hands out (see
 *   there why that is sound). TCP candidates are disabled, IPv6 ones dropped, and no STUN/TURN
 *   server is configured, so nothing is sent off loopback. A remote candidate of 127.0.0.1 (our
 *   ICE-lite server's) is reached from the 0.0.0.0 socket with source 127.0.0.1. Should the host
 *   have no default route, the offer carries no candidate at all; connecting to an ICE-lite
 *   server still works then (the server learns our address from our checks), connecting two
 *   LibWebRtcPeers does not.</li>
 * <li><b>Threads.</b> Every {@link PeerConnectionObserver}, create/set-description and stats
 *   callback runs on libwebrtc's signaling thread (a native thread attached to the JVM, named like
 *   {@code Thread-0}). Blocking there stalls the peer connection, so callbacks here only complete
 *   futures; the blocking waits happen on the caller's thread. Calls into
 *   {@link RTCPeerConnection} are proxied to the signaling thread and may be made from any
 *   thread.</li>
 * <li><b>Disposal.</b> Order matters, and a native object used after dispose crashes the JVM
 *   rather than throwing. {@link #close()} stops the frame generator (so nothing pushes into a
 *   disposed source), closes the peer connection (which also frees its native observer), then
 *   disposes the local tracks, the sources, the factory (which stops its network, worker and
 *   signaling threads) and last the audio device module. Remote tracks belong to the peer
 *   connection's receivers and must <em>not</em> be disposed. {@code NativeI420Buffer.allocate}
 *   returns a buffer holding one reference for the caller, released (through
 *   {@link VideoFrame#release()}) after {@code CustomVideoSource.pushFrame}, which takes its own.
 *   Each peer has its own factory and module, so peers are independent and any number can be
 *   created and closed in one JVM, one after another or side by side.</li>
 * <li><b>Exit.</b> Merely loading the native library makes the JVM print
 *   "VM attach current thread failed / Failed to attach thread ..." at exit, even when every
 *   object was disposed; it is harmless (exit status 0) and not caused by this class.</li>
 * <li><b>Stats.</b> {@code getStats} delivers an {@link RTCStatsReport} whose map is keyed by
 *   opaque stats ids; find streams by {@code getType()} ({@code INBOUND_RTP}, {@code OUTBOUND_RTP})
 *   and the {@code kind} attribute; see {@link PeerStats}. Attributes that libwebrtc has not set
 *   yet are absent from the map. Values are boxed by their C++ type, not by their meaning:
 *   uint64 counters ({@code bytesSent}, outbound {@code packetsSent}) are {@code BigInteger},
 *   uint32 ones ({@code framesDecoded}, inbound {@code packetsReceived}) {@code Long}, int32
 *   ({@code packetsLost}) {@code Integer}; read them as {@code Number}. In loopback-only mode the
 *   nominated pair's local candidate shows up as {@code prflx 127.0.0.1} (learnt from the
 *   remote's STUN response), proof that the media really flows over loopback. Avoid {@code getStats(RTCRtpSender, ..)}: in some webrtc-java
 *   versions it treats the sender as a receiver natively.</li>
 * <li><b>Transceivers.</b> 0.14.0 can only add a transceiver with a track
 *   ({@code addTransceiver(track, init)}), so a receive-only transceiver still gets a (silent,
 *   frameless) local track and direction {@code RECV_ONLY}. Codec preferences are set per
 *   transceiver with {@code setCodecPreferences}, from the factory's receiver capabilities.</li>
 * </ul>
 *
 * <p>Not thread-safe: drive one peer from one test thread. One negotiation per peer (an offer or
 * an answer); renegotiation is not supported.
 */
public final class LibWebRtcPeer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LibWebRtcPeer.class);

    /** How long the SDP steps may take before a call gives up; they take milliseconds. */
    private static final Duration SIGNALING_TIMEOUT = Duration.ofSeconds(10);
    private static final String STREAM_ID = "archipelago-test";
    private static final List<String> AUXILIARY_CODECS = List.of("rtx", "red", "ulpfec", "flexfec-03");

    private static final int AUDIO_SAMPLE_RATE = 48_000;
    private static final int AUDIO_CHUNK_MILLIS = 10;
    private static final int AUDIO_FRAMES_PER_CHUNK = AUDIO_SAMPLE_RATE * AUDIO_CHUNK_MILLIS / 1000;
    private static final double AUDIO_TONE_HZ = 440;

    /**
     * How a peer is set up.
     *
     * @param sendVideo           send generated video on the video transceiver
     * @param receiveVideo        receive video on it (with neither, no video transceiver)
     * @param sendAudio           send a generated tone on the audio transceiver
     * @param receiveAudio        receive audio on it (with neither, no audio transceiver)
     * @param width               width of generated frames (even)
     * @param height              height of generated frames (even)
     * @param framesPerSecond     rate of generated frames
     * @param preferredVideoCodec codec name to force, e.g. "VP8" (only it, with rtx/red/ulpfec,
     *                            is offered), or null for libwebrtc's default list
     * @param loopbackOnly        advertise only 127.0.0.1 host candidates, see the class comment
     * @param audioRed            offer (or accept) RED for audio, {@code red/48000/2} of Opus (RFC
     *                            2198), as libwebrtc does by default; false keeps it out
     */
    public record Options(boolean sendVideo, boolean receiveVideo, boolean sendAudio, boolean receiveAudio,
                          int width, int height, int framesPerSecond, String preferredVideoCodec,
                          boolean loopbackOnly, boolean audioRed) {
        public Options {
            if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0) {
                throw new IllegalArgumentException("frame size must be positive and even: " + width + "x" + height);
            }
            if (framesPerSecond <= 0 || framesPerSecond > 120) {
                throw new IllegalArgumentException("framesPerSecond must be in 1..120: " + framesPerSecond);
            }
        }

        /** Send and receive video (VP8, 320x240 at 30 fps) and audio, loopback only. */
        public static Options defaults() {
            return new Options(true, true, true, true, 320, 240, 30, "VP8", true, true);
        }

        public Options withVideo(boolean send, boolean receive) {
            return new Options(send, receive, sendAudio, receiveAudio, width, height, framesPerSecond,
                    preferredVideoCodec, loopbackOnly, audioRed);
        }

        public Options withAudio(boolean send, boolean receive) {
            return new Options(sendVideo, receiveVideo, send, receive, width, height, framesPerSecond,
                    preferredVideoCodec, loopbackOnly, audioRed);
        }

        public Options withFrameSize(int newWidth, int newHeight, int newFramesPerSecond) {
            return new Options(sendVideo, receiveVideo, sendAudio, receiveAudio, newWidth, newHeight,
                    newFramesPerSecond, preferredVideoCodec, loopbackOnly, audioRed);
        }

        public Options withPreferredVideoCodec(String codec) {
            return new Options(sendVideo, receiveVideo, sendAudio, receiveAudio, width, height, framesPerSecond,
                    codec, loopbackOnly, audioRed);
        }

        public Options withLoopbackOnly(boolean loopback) {
            return new Options(sendVideo, receiveVideo, sendAudio, receiveAudio, width, height, framesPerSecond,
                    preferredVideoCodec, loopback, audioRed);
        }

        public Options withAudioRed(boolean red) {
            return new Options(sendVideo, receiveVideo, sendAudio, receiveAudio, width, height, framesPerSecond,
                    preferredVideoCodec, loopbackOnly, red);
        }
    }

    private final Options options;
    private final String name;
    private final AudioDeviceModuleBase audioDeviceModule;
    private final PeerConnectionFactory factory;
    private final RTCPeerConnection peerConnection;
    private final ScheduledExecutorService generator;

    private CustomVideoSource videoSource;
    private VideoTrack videoTrack;
    private CustomAudioSource audioSource;
    private AudioTrack audioTrack;

    private final CompletableFuture<Void> gatheringComplete = new CompletableFuture<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private volatile RTCPeerConnectionState connectionState = RTCPeerConnectionState.NEW;
    private volatile RTCIceConnectionState iceConnectionState = RTCIceConnectionState.NEW;
    private final AtomicLong framesGenerated = new AtomicLong();
    private volatile Throwable generatorFailure;
    private boolean negotiated;
    private volatile boolean closed;

    private LibWebRtcPeer(String name, Options options) {
        this.name = name;
        this.options = options;
        // See the class comment: only a peer that sends no audio can have a playout thread.
        this.audioDeviceModule = options.sendAudio()
                ? new AudioDeviceModule(AudioLayer.kDummyAudio)
                : new HeadlessAudioDeviceModule();
        PeerConnectionFactory createdFactory = null;
        RTCPeerConnection createdConnection = null;
        try {
            createdFactory = new PeerConnectionFactory(audioDeviceModule);
            createdConnection = createdFactory.createPeerConnection(configuration(options), new Observer());
        } catch (RuntimeException | Error e) {
            if (createdFactory != null) {
                createdFactory.dispose();
            }
            audioDeviceModule.dispose();
            throw e;
        }
        this.factory = createdFactory;
        this.peerConnection = createdConnection;
        this.generator = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "libwebrtc-peer-" + name + "-media");
            t.setDaemon(true);
            return t;
        });
    }

    /** Creates a peer with its own factory; see {@link Options}. */
    public static LibWebRtcPeer create(Options options) {
        return create("peer", options);
    }

    /** Creates a peer whose threads and log lines carry {@code name}. */
    public static LibWebRtcPeer create(String name, Options options) {
        LibWebRtcPeer peer = new LibWebRtcPeer(Objects.requireNonNull(name), Objects.requireNonNull(options));
        try {
            peer.createLocalMedia();
            return peer;
        } catch (RuntimeException | Error e) {
            peer.close();
            throw e;
        }
    }

    private static RTCConfiguration configuration(Options options) {
        RTCConfiguration config = new RTCConfiguration(); // no ICE servers: host candidates only
        PortAllocatorConfig ports = new PortAllocatorConfig();
        if (options.loopbackOnly()) {
            ports.setDisableTcp(true)
                    .setDisableStun(true)
                    .setDisableRelay(true)
                    .setDisableAdapterEnumeration(true);
        }
        config.portAllocatorConfig = ports;
        return config;
    }

    // ---- local media -------------------------------------------------------------------------

    private void createLocalMedia() {
        if (options.sendVideo() || options.receiveVideo()) {
            videoSource = new CustomVideoSource();
            videoTrack = factory.createVideoTrack(name + "-video", videoSource);
            RTCRtpTransceiver transceiver = peerConnection.addTransceiver(videoTrack,
                    transceiverInit(direction(options.sendVideo(), options.receiveVideo())));
            preferVideoCodec(transceiver);
        }
        if (options.sendAudio() || options.receiveAudio()) {
            audioSource = new CustomAudioSource();
            audioTrack = factory.createAudioTrack(name + "-audio", audioSource);
            RTCRtpTransceiver transceiver = peerConnection.addTransceiver(audioTrack,
                    transceiverInit(direction(options.sendAudio(), options.receiveAudio())));
            leaveOutAudioRed(transceiver);
        }
        if (options.sendVideo()) {
            long periodNanos = TimeUnit.SECONDS.toNanos(1) / options.framesPerSecond();
            generator.scheduleAtFixedRate(guarded(this::pushVideoFrame), 0, periodNanos, TimeUnit.NANOSECONDS);
        }
        if (options.sendAudio()) {
            generator.scheduleAtFixedRate(guarded(new ToneGenerator()), 0, AUDIO_CHUNK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private static RTCRtpTransceiverInit transceiverInit(RTCRtpTransceiverDirection direction) {
        RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
        init.direction = direction;
        init.streamIds = List.of(STREAM_ID);
        return init;
    }

    private static RTCRtpTransceiverDirection direction(boolean send, boolean receive) {
        if (send && receive) {
            return RTCRtpTransceiverDirection.SEND_RECV;
        }
        return send ? RTCRtpTransceiverDirection.SEND_ONLY : RTCRtpTransceiverDirection.RECV_ONLY;
    }

    private void preferVideoCodec(RTCRtpTransceiver transceiver) {
        String preferred = options.preferredVideoCodec();
        if (preferred == null) {
            return;
        }
        List<RTCRtpCodecCapability> codecs = new ArrayList<>();
        List<RTCRtpCodecCapability> auxiliary = new ArrayList<>();
        for (RTCRtpCodecCapability codec : factory.getRtpReceiverCapabilities(MediaType.VIDEO).getCodecs()) {
            if (codec.getName().equalsIgnoreCase(preferred)) {
                codecs.add(codec);
            } else if (AUXILIARY_CODECS.contains(codec.getName().toLowerCase(Locale.ROOT))) {
                auxiliary.add(codec);
            }
        }
        if (codecs.isEmpty()) {
            throw new IllegalArgumentException("libwebrtc has no video codec named " + preferred);
        }
        codecs.addAll(auxiliary);
        transceiver.setCodecPreferences(codecs);
    }

    /** Without {@link Options#audioRed}: every audio codec libwebrtc has but RED, in its order. */
    private void leaveOutAudioRed(RTCRtpTransceiver transceiver) {
        if (options.audioRed()) {
            return;
        }
        List<RTCRtpCodecCapability> codecs = new ArrayList<>();
        for (RTCRtpCodecCapability codec : factory.getRtpReceiverCapabilities(MediaType.AUDIO).getCodecs()) {
            if (!codec.getName().equalsIgnoreCase("red")) {
                codecs.add(codec);
            }
        }
        transceiver.setCodecPreferences(codecs);
    }

    /** Keeps a failing generator task from being silently cancelled by the executor. */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                if (generatorFailure == null) {
                    generatorFailure = e;
                    LOG.error("{}: media generator failed", name, e);
                }
                throw e;
            }
        };
    }

    /**
     * Pushes one I420 frame: a diagonal luma gradient that scrolls 4 pixels a frame, a bright block
     * crossing the picture, and chroma that drifts, so every frame differs from the last everywhere
     * and the encoder produces real inter frames, not just skip blocks.
     */
    private void pushVideoFrame() {
        int width = options.width();
        int height = options.height();
        long n = framesGenerated.getAndIncrement();
        NativeI420Buffer buffer = NativeI420Buffer.allocate(width, height);
        VideoFrame frame = new VideoFrame(buffer, System.nanoTime());
        try {
            fillPlane(buffer.getDataY().duplicate(), buffer.getStrideY(), width, height, (x, y) -> {
                int boxX = (int) ((n * 5) % width);
                boolean inBox = x >= boxX && x < boxX + width / 8 && y >= height / 3 && y < height / 3 + height / 6;
                return inBox ? 235 : 16 + ((x + y + (int) (n * 4)) & 0x7F);
            });
            int u = 128 + (int) (n % 64) - 32;
            int v = 128 - (int) (n % 48) + 24;
            fillPlane(buffer.getDataU().duplicate(), buffer.getStrideU(), (width + 1) / 2, (height + 1) / 2,
                    (x, y) -> u + (x >> 4));
            fillPlane(buffer.getDataV().duplicate(), buffer.getStrideV(), (width + 1) / 2, (height + 1) / 2,
                    (x, y) -> v + (y >> 4));
            videoSource.pushFrame(frame);
        } finally {
            frame.release(); // drops the reference allocate() gave us; the source took its own
        }
    }

    private interface PixelFunction {
        int valueAt(int x, int y);
    }

    private static void fillPlane(ByteBuffer plane, int stride, int width, int height, PixelFunction f) {
        byte[] row = new byte[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                row[x] = (byte) f.valueAt(x, y);
            }
            plane.position(y * stride);
            plane.put(row);
        }
    }

    /** A 440 Hz sine at a quarter of full scale, mono 16-bit little-endian, 10 ms per call. */
    private final class ToneGenerator implements Runnable {
        private final byte[] chunk = new byte[AUDIO_FRAMES_PER_CHUNK * 2];
        private long sampleIndex;

        @Override
        public void run() {
            for (int i = 0; i < AUDIO_FRAMES_PER_CHUNK; i++, sampleIndex++) {
                short s = (short) (Short.MAX_VALUE / 4
                        * Math.sin(2 * Math.PI * AUDIO_TONE_HZ * sampleIndex / AUDIO_SAMPLE_RATE));
                chunk[2 * i] = (byte) s;
                chunk[2 * i + 1] = (byte) (s >> 8);
            }
            audioSource.pushAudio(chunk, 16, AUDIO_SAMPLE_RATE, 1, AUDIO_FRAMES_PER_CHUNK);
        }
    }

    // ---- signaling ---------------------------------------------------------------------------

    /**
     * Creates an offer, sets it as the local description, waits for ICE gathering to complete and
     * returns the local description with all candidates in it (no trickle), rewritten to
     * 127.0.0.1 in loopback-only mode.
     */
    public String createOffer() {
        startNegotiation();
        CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
        peerConnection.createOffer(new RTCOfferOptions(), descriptionObserver(offer));
        setLocalDescription(await(offer, "createOffer"));
        return gatheredLocalDescription();
    }

    /** Applies the remote side's answer to {@link #createOffer()}. */
    public void setAnswer(String sdp) {
        setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, sdp));
    }

    /**
     * Answers a remote offer: sets it, attaches this peer's tracks to the transceivers it created
     * (with the directions of {@link Options}), creates the answer, sets it and returns it once ICE
     * gathering completed, like {@link #createOffer()}.
     */
    public String answer(String offerSdp) {
        startNegotiation();
        setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offerSdp));
        for (RTCRtpTransceiver transceiver : peerConnection.getTransceivers()) {
            String kind = transceiver.getReceiver().getTrack().getKind();
            if (MediaStreamTrack.VIDEO_TRACK_KIND.equals(kind) && videoTrack != null) {
                attach(transceiver, videoTrack, options.sendVideo(), options.receiveVideo());
                preferVideoCodec(transceiver);
            } else if (MediaStreamTrack.AUDIO_TRACK_KIND.equals(kind) && audioTrack != null) {
                attach(transceiver, audioTrack, options.sendAudio(), options.receiveAudio());
                leaveOutAudioRed(transceiver);
            } else {
                transceiver.setDirection(RTCRtpTransceiverDirection.INACTIVE);
            }
        }
        CompletableFuture<RTCSessionDescription> answer = new CompletableFuture<>();
        peerConnection.createAnswer(new RTCAnswerOptions(), descriptionObserver(answer));
        setLocalDescription(await(answer, "createAnswer"));
        return gatheredLocalDescription();
    }

    private static void attach(RTCRtpTransceiver transceiver, MediaStreamTrack track, boolean send, boolean receive) {
        transceiver.getSender().replaceTrack(track);
        transceiver.getSender().setStreams(List.of(STREAM_ID));
        transceiver.setDirection(direction(send, receive));
    }

    private void startNegotiation() {
        ensureOpen();
        if (negotiated) {
            throw new IllegalStateException(name + ": already negotiated; renegotiation is not supported");
        }
        negotiated = true;
    }

    private void setLocalDescription(RTCSessionDescription description) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        peerConnection.setLocalDescription(description, setObserver(done));
        await(done, "setLocalDescription");
    }

    private void setRemoteDescription(RTCSessionDescription description) {
        ensureOpen();
        CompletableFuture<Void> done = new CompletableFuture<>();
        peerConnection.setRemoteDescription(description, setObserver(done));
        await(done, "setRemoteDescription(" + description.sdpType + ")");
    }

    private String gatheredLocalDescription() {
        if (peerConnection.getIceGatheringState() == RTCIceGatheringState.COMPLETE) {
            gatheringComplete.complete(null);
        }
        await(gatheringComplete, "ICE gathering");
        String sdp = peerConnection.getLocalDescription().sdp;
        return options.loopbackOnly() ? LoopbackCandidates.rewrite(sdp) : sdp;
    }

    private static CreateSessionDescriptionObserver descriptionObserver(CompletableFuture<RTCSessionDescription> f) {
        return new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                f.complete(description);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(new IllegalStateException(error));
            }
        };
    }

    private static SetSessionDescriptionObserver setObserver(CompletableFuture<Void> f) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                f.complete(null);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(new IllegalStateException(error));
            }
        };
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        return await(future, what, SIGNALING_TIMEOUT);
    }

    private <T> T await(CompletableFuture<T> future, String what, Duration timeout) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + ": " + what + " did not finish within " + timeout
                    + " (connection " + connectionState + ", ICE " + iceConnectionState + ")", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(name + ": " + what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted waiting for " + what, e);
        }
    }

    // ---- state and stats ---------------------------------------------------------------------

    /**
     * Waits until the peer connection state is CONNECTED (ICE and DTLS both up). Fails at once if
     * it becomes FAILED or CLOSED first.
     */
    public void awaitConnected(Duration timeout) {
        await(connected, "connecting", timeout);
    }

    /** The last peer connection state libwebrtc reported. */
    public RTCPeerConnectionState connectionState() {
        return connectionState;
    }

    /** The last (standardized) ICE connection state libwebrtc reported. */
    public RTCIceConnectionState iceConnectionState() {
        return iceConnectionState;
    }

    /** Video frames handed to the video source so far. */
    public long framesGenerated() {
        return framesGenerated.get();
    }

    /** libwebrtc's full stats report, for what {@link PeerStats} does not carry. */
    public RTCStatsReport statsReport() {
        ensureOpen();
        CompletableFuture<RTCStatsReport> report = new CompletableFuture<>();
        peerConnection.getStats(report::complete);
        return await(report, "getStats");
    }

    /** The numbers of {@link PeerStats}, read now. */
    public PeerStats stats() {
        if (generatorFailure != null) {
            throw new IllegalStateException(name + ": media generator failed", generatorFailure);
        }
        return PeerStats.from(statsReport());
    }

    /**
     * Polls {@link #stats()} every 50 ms until {@code condition} holds and returns those stats;
     * fails with the last stats read if it does not hold within {@code timeout}.
     */
    public PeerStats awaitStats(Predicate<PeerStats> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<PeerStats> result = new CompletableFuture<>();
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "libwebrtc-peer-" + name + "-stats");
            t.setDaemon(true);
            return t;
        });
        AtomicReference<PeerStats> last = new AtomicReference<>();
        try {
            poller.scheduleWithFixedDelay(() -> {
                try {
                    PeerStats stats = stats();
                    last.set(stats);
                    if (condition.test(stats)) {
                        result.complete(stats);
                    }
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            try {
                return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError(name + ": stats condition not met within " + timeout
                        + "; last stats " + last.get() + " (connection " + connectionState + ")");
            } catch (ExecutionException e) {
                throw new IllegalStateException(name + ": reading stats failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(name + ": interrupted waiting for stats", e);
            }
        } finally {
            poller.shutdownNow();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    /** Frees every native object, in the order webrtc-java needs; see the class comment. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        generator.shutdownNow();
        try {
            if (!generator.awaitTermination(5, TimeUnit.SECONDS)) {
                // Disposing the sources under a running push would crash the JVM: leak instead.
                LOG.error("{}: media generator did not stop; leaking native objects", name);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.error("{}: interrupted stopping the media generator; leaking native objects", name);
            return;
        }
        // A sender holds a reference to its track; let go of it so that the track's dispose()
        // below drops the last reference (webrtc-java throws an Error otherwise).
        for (RTCRtpSender sender : peerConnection.getSenders()) {
            sender.replaceTrack(null);
        }
        peerConnection.close();
        disposeAll(List.of(
                () -> { if (videoTrack != null) videoTrack.dispose(); },
                () -> { if (audioTrack != null) audioTrack.dispose(); },
                () -> { if (videoSource != null) videoSource.dispose(); },
                () -> { if (audioSource != null) audioSource.dispose(); },
                factory::dispose,
                audioDeviceModule::dispose));
        connected.completeExceptionally(new IllegalStateException(name + " was closed"));
    }

    /**
     * Runs every step even if one fails. webrtc-java's {@code dispose()} throws
     * {@code java.lang.Error("Native object was not deleted...")} when the object is still
     * referenced natively <em>after</em> dropping the Java side's reference; that is logged, not
     * rethrown, and the object must not be disposed again (it would drop someone else's reference).
     */
    private void disposeAll(List<Runnable> steps) {
        RuntimeException first = null;
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            } catch (Error e) {
                if (!String.valueOf(e.getMessage()).startsWith("Native object was not deleted")) {
                    throw e;
                }
                LOG.warn("{}: a disposed native object is still referenced elsewhere", name, e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "LibWebRtcPeer[" + name + ", " + connectionState + "]";
    }

    /** Runs on libwebrtc's signaling thread: only records state and completes futures. */
    private final class Observer implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            // Candidates are collected in the local description; nothing is trickled.
        }

        @Override
        public void onIceGatheringChange(RTCIceGatheringState state) {
            if (state == RTCIceGatheringState.COMPLETE) {
                gatheringComplete.complete(null);
            }
        }

        @Override
        public void onStandardizedIceConnectionChange(RTCIceConnectionState state) {
            iceConnectionState = state;
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState state) {
            connectionState = state;
            LOG.debug("{}: connection {}", name, state);
            switch (state) {
                case CONNECTED -> connected.complete(null);
                case FAILED, CLOSED -> connected.completeExceptionally(
                        new IllegalStateException(name + ": connection " + state + " before CONNECTED"));
                default -> { }
            }
        }
    }
}
