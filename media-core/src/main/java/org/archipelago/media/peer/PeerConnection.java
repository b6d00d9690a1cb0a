package org.archipelago.media.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.archipelago.media.bwe.TransportFeedbackGenerator;
import org.archipelago.media.dtls.DtlsFingerprint;
import org.archipelago.media.dtls.DtlsRole;
import org.archipelago.media.dtls.DtlsTransport;
import org.archipelago.media.ice.BindingRequestOutcome;
import org.archipelago.media.ice.IceLiteAgent;
import org.archipelago.media.rtcp.RtcpCompoundIterator;
import org.archipelago.media.rtcp.RtcpFullIntraRequest;
import org.archipelago.media.rtcp.RtcpHeader;
import org.archipelago.media.rtcp.RtcpNack;
import org.archipelago.media.rtcp.RtcpPictureLossIndication;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.rtx.NackGenerator;
import org.archipelago.media.rtx.RtxDepacketizer;
import org.archipelago.media.rtx.NackResponder;
import org.archipelago.media.sdp.Codec;
import org.archipelago.media.sdp.HeaderExtension;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.sdp.RtcpFeedback;
import org.archipelago.media.sdp.SdpAnswer;
import org.archipelago.media.sdp.SendStream;
import org.archipelago.media.srtp.SrtpKeyingMaterial;
import org.archipelago.media.stats.PeerStatistics;
import org.archipelago.media.stats.RtcpReportInterval;
import org.archipelago.media.stats.SendStatistics;
import org.archipelago.media.srtp.SrtpProfile;
import org.archipelago.media.srtp.SrtpDropReason;
import org.archipelago.media.srtp.SrtpSession;
import org.archipelago.media.stun.StunMessageWriter;
import org.archipelago.media.transport.DatagramDemux;
import org.archipelago.media.transport.DatagramEndpoint;
import org.archipelago.media.transport.PacketKind;
import org.archipelago.media.transport.UdpSocket;
import io.netty.util.collection.IntObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One remote WebRTC endpoint (a browser, a WHIP/WHEP client, a test peer): its ICE-lite agent, DTLS
 * transport and SRTP session glued to the shared media port, with decrypted RTP and RTCP handed to
 * a {@link Listener}.
 *
 * <p>Created by {@link MediaEngine#createPeer}, which has already answered the remote offer. Lives on
 * one event loop ({@link #eventLoop()}): every method except {@link #close} (which hops there) must
 * be called on it, and the listener is called on it.
 *
 * <p>The life: {@link PeerState#CONNECTING} until the DTLS handshake has produced SRTP keys, then
 * {@link PeerState#CONNECTED}; {@link PeerState#CLOSED} on {@link #close}, a DTLS failure or alert,
 * ICE consent expiry (RFC 7675: no authenticated check for the consent timeout), or no connectivity
 * check at all within the connect timeout.
 */
public final class PeerConnection implements DatagramEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(PeerConnection.class);

    /** Remote addresses one peer may have bound at once (host, reflexive, relayed, a move or two). */
    static final int MAX_BOUND_ADDRESSES = 4;
    /**
     * Fine enough for NACK timing (a missing packet waits about 15 ms for reordering, see
     * {@link NackGenerator}) and to spread RTCP reports over 0.5–1.5 × {@link #REPORT_INTERVAL_NANOS}.
     */
    private static final long TIMER_PERIOD_MILLIS = 20;
    /** Transport-wide feedback at most this often: libwebrtc's receivers send it about every 50 ms. */
    private static final long TRANSPORT_FEEDBACK_INTERVAL_NANOS = 50_000_000L;
    /** Incoming media streams tracked for loss (NACK), as many as the statistics track. */
    static final int MAX_NACK_STREAMS = PeerStatistics.MAX_RECEIVE_STREAMS;
    /** Sequence numbers in one NACK: a burst of this many costs 4 to 4 × this bytes of FCI. */
    static final int MAX_NACK_ITEMS = 64;
    /** RTCP header, sender SSRC and media SSRC of a NACK, then one 4-byte (PID, BLP) pair per run (RFC 4585 §6.2.1). */
    private static final int NACK_HEADER_LENGTH = 12;
    private static final int NACK_PAIR_LENGTH = 4;
    /** Mean interval of our RTCP reports (RFC 3550 §6.2 leaves it to the profile; libwebrtc uses 1 s for video). */
    static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Events of one peer, all on its event loop. Implementations must not throw and must not block.
     */
    public interface Listener {
        /** DTLS is done: media can be sent with {@link #sendRtp}. */
        default void onConnected(PeerConnection peer) {
        }

        /**
         * A decrypted, valid RTP packet. The view and its buffer are borrowed for the duration of
         * the call: retain the buffer, or copy it, to keep anything.
         *
         * <p>RTX packets (RFC 4588) never reach the listener as such: a retransmission of a packet
         * that was missing is restored in place into the original (its SSRC, sequence number,
         * payload type and payload) and delivered with {@code recovered} set; it arrives late, out
         * of sequence order. Retransmissions not needed, padding-only RTX (probing) and RTX that
         * cannot be mapped are dropped and counted ({@link #rtxDropCount}).
         *
         * @param media     the m-section whose payload type this is
         * @param recovered whether the packet was restored from an RTX retransmission
         */
        default void onRtp(PeerConnection peer, NegotiatedMedia media, RtpPacket packet, boolean recovered, long nowNanos) {
        }

        /** The remote side asked for a keyframe of {@code mediaSsrc} (PLI or FIR) that we send it. */
        default void onKeyframeRequest(PeerConnection peer, long mediaSsrc, long nowNanos) {
        }

        /** The peer is closed and its resources freed; {@code reason} says why. */
        default void onClosed(PeerConnection peer, String reason) {
        }
    }

    private final MediaEngine engine;
    private final String id;
    private final EventLoop loop;
    private final UdpSocket socket;
    private final ByteBufAllocator allocator;
    private final IceLiteAgent ice;
    private final DtlsTransport dtls;
    private final SdpAnswer answer;
    private final Listener listener;
    private final long connectTimeoutNanos;
    private final long createdNanos;

    private final IncomingStreamMap incomingStreams;
    /** The SSRCs we announced (media and RTX), and per entry the last FIR sequence number seen. */
    private final long[] sendSsrcs;
    private final int[] lastFirSequence;
    private final long feedbackSenderSsrc;

    private final RtpPacket rtp = new RtpPacket();
    /** A view of its own for sendRtp: a listener may send (forward) while {@link #rtp} is borrowed. */
    private final RtpPacket sentRtp = new RtpPacket();
    private final PeerStatistics statistics;
    private final RtcpReportInterval reportInterval;
    private final RtcpCompoundIterator rtcp = new RtcpCompoundIterator();
    private final RtcpPictureLossIndication pli = new RtcpPictureLossIndication();
    private final RtcpFullIntraRequest fir = new RtcpFullIntraRequest();
    /** Loss tracking per incoming media SSRC; NACKs only for those whose payload type negotiated nack. */
    private final IntObjectHashMap<NackGenerator> nackBySsrc = new IntObjectHashMap<>();
    private final NackGenerator[] nackGenerators = new NackGenerator[MAX_NACK_STREAMS];
    private final boolean[] nackNegotiated = new boolean[MAX_NACK_STREAMS];
    private int nackGeneratorCount;
    private long nackStreamsRefused;
    private final int[] nackItems = new int[MAX_NACK_ITEMS];
    private final RtxDepacketizer rtx;
    private long nacksSent;
    private final RtcpNack nack = new RtcpNack();
    /** Send-side history and NACK answering (RTX, RFC 4588); released on close. */
    private final NackResponder retransmissions;
    private final NackResponder.Sink retransmissionSink = new RetransmissionSink();

    private final ArrayDeque<InetSocketAddress> boundAddresses = new ArrayDeque<>(MAX_BOUND_ADDRESSES);
    private final long[] drops = new long[PeerDropReason.COUNT];
    private final long[] rtcpDrops = new long[RtcpDropReason.COUNT];
    private final long[] rtpPacketsByKind = new long[MediaKind.values().length];
    private final long[] rtpBytesByKind = new long[MediaKind.values().length];
    private long rtcpPacketsReceived;
    private long keyframeRequestsReceived;
    private long rtpPacketsSent;
    private long rtcpPacketsSent;
    private long keyframeRequestsSent;
    private long unrepairableNacks;

    /** Transport-wide congestion control feedback to the peer's sender, when negotiated; else null. */
    private final TransportFeedbackGenerator transportFeedback;
    private final int transportWideSequenceId;
    private long transportFeedbackMediaSsrc = -1;
    private long lastTransportFeedbackNanos;

    private PeerState state = PeerState.CONNECTING;
    /** The selected address, once bound to us in the demux: where media and DTLS go. */
    private InetSocketAddress mediaAddress;
    private SrtpSession srtp;
    private ScheduledFuture<?> timer;

    PeerConnection(MediaEngine engine, String id, EventLoop loop, IceLiteAgent ice, DtlsRole dtlsRole,
                   DtlsFingerprint remoteFingerprint, SdpAnswer answer, Listener listener, long nowNanos) {
        this.engine = engine;
        this.id = id;
        this.loop = loop;
        this.socket = engine.transport().socketFor(loop);
        this.allocator = engine.allocator();
        this.ice = ice;
        this.answer = answer;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.connectTimeoutNanos = engine.options().connectTimeout().toNanos();
        this.createdNanos = nowNanos;
        this.incomingStreams = new IncomingStreamMap(answer.negotiatedMedia());
        this.transportWideSequenceId = transportWideSequenceId(answer);
        this.transportFeedback = transportWideSequenceId == NegotiatedMedia.NO_EXTENSION ? null : new TransportFeedbackGenerator();
        this.lastTransportFeedbackNanos = nowNanos - TRANSPORT_FEEDBACK_INTERVAL_NANOS;
        this.rtx = new RtxDepacketizer(answer.negotiatedMedia());
        this.sendSsrcs = sendSsrcsOf(answer);
        // RTCP feedback names its sender (RFC 4585 §6.1): one of our SSRCs on this peer, or, for a
        // peer we only receive from, a fixed non-zero value (RFC 8108 allows any unused SSRC).
        this.feedbackSenderSsrc = sendSsrcs.length > 0 ? sendSsrcs[0] : 1;
        this.lastFirSequence = new int[sendSsrcs.length];
        this.statistics = statisticsOf(answer, engine, feedbackSenderSsrc);
        this.reportInterval = new RtcpReportInterval(REPORT_INTERVAL_NANOS, new SplittableRandom());
        Arrays.fill(lastFirSequence, -1);
        this.retransmissions = NackResponder.forAnswer(answer,
                NackResponder.Limits.defaults(engine.options().retransmissionHistorySize()), allocator,
                RTP_TAILROOM, new SplittableRandom());
        this.dtls = new DtlsTransport(dtlsRole, engine.certificate(), remoteFingerprint, this::sendDtls,
                engine.dtlsExecutor(), new DtlsEvents(), engine.options().dtls());
    }

    /**
     * The transport-wide sequence number extension id when the peer sends it and accepts
     * transport-cc feedback on some section (one id per BUNDLE transport), else none.
     */
    private static int transportWideSequenceId(SdpAnswer answer) {
        for (NegotiatedMedia media : answer.negotiatedMedia()) {
            int id = media.headerExtensionId(HeaderExtension.TRANSPORT_WIDE_CC);
            if (id == NegotiatedMedia.NO_EXTENSION || !media.direction().receives()) {
                continue;
            }
            for (Codec codec : media.codecs()) {
                if (codec.feedback().contains(RtcpFeedback.TRANSPORT_CC)) {
                    return id;
                }
            }
        }
        return NegotiatedMedia.NO_EXTENSION;
    }

    private static long[] sendSsrcsOf(SdpAnswer answer) {
        List<Long> ssrcs = new ArrayList<>();
        for (NegotiatedMedia media : answer.negotiatedMedia()) {
            SendStream stream = media.sendStream();
            if (stream != null) {
                ssrcs.add(stream.ssrc());
                stream.rtxSsrc().ifPresent(ssrcs::add);
            }
        }
        return ssrcs.stream().mapToLong(Long::longValue).toArray();
    }

    private static PeerStatistics statisticsOf(SdpAnswer answer, MediaEngine engine, long receiverReportSsrc) {
        List<SendStatistics> streams = new ArrayList<>();
        String cname = PeerStatistics.DEFAULT_CNAME;
        for (NegotiatedMedia media : answer.negotiatedMedia()) {
            SendStream stream = media.sendStream();
            if (stream == null) {
                continue;
            }
            // Every media format of a section shares its clock (48 kHz Opus; 90 kHz video), RTX too.
            List<Codec> codecs = media.primaryCodecs();
            int clockRate = codecs.isEmpty() ? 0 : codecs.get(0).clockRate();
            streams.add(new SendStatistics(stream.ssrc(), clockRate));
            stream.rtxSsrc().ifPresent(rtx -> streams.add(new SendStatistics(rtx, clockRate)));
            cname = stream.cname();
        }
        return new PeerStatistics(engine.ntpClock(), streams, receiverReportSsrc, cname);
    }

    /** Registers with the demultiplexer and starts DTLS and the timers; on the loop. */
    void start() {
        DatagramDemux demux = engine.demux();
        if (!demux.registerUfrag(ice.localCredentials().ufrag(), this)) {
            close(demux.endpointCount() >= engine.options().maxPeers()
                    ? "too many peers" : "ICE ufrag already in use (a one in 2^47 coincidence)");
            return;
        }
        timer = loop.scheduleAtFixedRate(this::checkTimers, TIMER_PERIOD_MILLIS, TIMER_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        dtls.start();
    }

    public String id() {
        return id;
    }

    @Override
    public EventLoop eventLoop() {
        return loop;
    }

    /** Our answer to the remote offer, and what it negotiated per m-section. */
    public SdpAnswer answer() {
        return answer;
    }

    public PeerState state() {
        return state;
    }

    /**
     * Where media goes: the ICE-selected remote address once it is bound to this peer in the
     * demultiplexer, or null before that.
     */
    public InetSocketAddress remoteAddress() {
        return mediaAddress;
    }

    @Override
    public void onDatagram(ByteBuf datagram, InetSocketAddress sender, PacketKind kind, long nowNanos) {
        try {
            if (state == PeerState.CLOSED) {
                drops[PeerDropReason.CLOSED.ordinal()]++;
                return;
            }
            switch (kind) {
                case STUN -> onStun(datagram, sender, nowNanos);
                case DTLS -> dtls.receive(datagram);
                case RTP -> onRtp(heapCopy(datagram), nowNanos);
                case RTCP -> onRtcp(heapCopy(datagram), nowNanos);
                default -> {
                    // The demultiplexer delivers only the four kinds above.
                }
            }
        } finally {
            datagram.release();
        }
    }

    /**
     * The one copy of an ingress packet: epoll hands us pooled direct buffers, and SRTP works in
     * place on a heap array ({@link SrtpSession}). Copying once here beats the session's copy path
     * (into its scratch array and back). The copy is released after the packet is handled.
     */
    private ByteBuf heapCopy(ByteBuf datagram) {
        if (datagram.hasArray()) {
            return datagram.retain();
        }
        return allocator.heapBuffer(datagram.readableBytes()).writeBytes(datagram, datagram.readerIndex(), datagram.readableBytes());
    }

    private void onStun(ByteBuf request, InetSocketAddress sender, long nowNanos) {
        ByteBuf response = allocator.buffer(StunMessageWriter.BINDING_SUCCESS_RESPONSE_MAX_LENGTH);
        BindingRequestOutcome outcome = ice.handleBindingRequest(request, sender, nowNanos, response);
        if (!outcome.responded()) {
            response.release();
            drops[PeerDropReason.STUN_NOT_ANSWERED.ordinal()]++;
            return;
        }
        bindAddress(sender);
        InetSocketAddress selected = ice.selectedAddress();
        if (selected != null && !selected.equals(mediaAddress) && boundAddresses.contains(selected)) {
            // Media follows the ICE selection only to an address this peer owns in the demux: an
            // authenticated peer cannot steer our media to an address another peer holds.
            mediaAddress = selected;
            LOG.debug("Peer {} selected {}", id, selected);
        }
        socket.send(response, sender);
    }

    /** Lets DTLS, RTP and RTCP from an authenticated address reach us, within a small bound. */
    private void bindAddress(InetSocketAddress address) {
        if (boundAddresses.contains(address)) {
            return;
        }
        if (boundAddresses.size() == MAX_BOUND_ADDRESSES) {
            // The oldest address that media does not use makes room.
            InetSocketAddress evicted = null;
            for (InetSocketAddress candidate : boundAddresses) {
                if (!candidate.equals(mediaAddress)) {
                    evicted = candidate;
                    break;
                }
            }
            boundAddresses.remove(evicted);
            engine.demux().unbindAddress(evicted, this);
        }
        if (engine.demux().bindAddress(address, this)) {
            boundAddresses.add(address);
        }
    }

    private void onRtp(ByteBuf packet, long nowNanos) {
        try {
            handleRtp(packet, nowNanos);
        } finally {
            packet.release();
        }
    }

    private void handleRtp(ByteBuf packet, long nowNanos) {
        if (srtp == null) {
            drops[PeerDropReason.MEDIA_BEFORE_KEYS.ordinal()]++;
            return;
        }
        if (!srtp.unprotectRtp(packet)) {
            long refused = drops[PeerDropReason.SRTP_UNPROTECT_REFUSED.ordinal()]++;
            if (refused < 20 && LOG.isDebugEnabled() && packet.readableBytes() >= 12) {
                LOG.debug("Peer {} SRTP refused ssrc {} seq {} pt {} len {}", id, packet.getUnsignedInt(packet.readerIndex() + 8),
                        packet.getUnsignedShort(packet.readerIndex() + 2), packet.getUnsignedByte(packet.readerIndex() + 1) & 0x7F,
                        packet.readableBytes());
            }
            return;
        }
        if (!rtp.wrap(packet)) {
            drops[PeerDropReason.RTP_MALFORMED.ordinal()]++;
            return;
        }
        // Transport-wide feedback reports what arrived on the transport, before any stream lookup:
        // a packet we cannot route (a probe, a stream not signalled) still arrived, and reporting it
        // lost would make the sender's congestion controller back off for nothing.
        if (transportFeedback != null) {
            long transportSequence = rtp.extensionValue(transportWideSequenceId);
            if (transportSequence >= 0) {
                transportFeedback.onPacket((int) transportSequence, nowNanos);
                if (transportFeedbackMediaSsrc < 0) {
                    transportFeedbackMediaSsrc = rtp.ssrc();
                }
            }
        }
        NegotiatedMedia media = incomingStreams.resolve(rtp);
        if (media == null) {
            drops[PeerDropReason.RTP_UNKNOWN_STREAM.ordinal()]++;
            return;
        }
        Codec codec = media.codec(rtp.payloadType());
        if (codec == null) {
            // A known SSRC with a payload type its section did not negotiate.
            drops[PeerDropReason.RTP_UNKNOWN_PAYLOAD_TYPE.ordinal()]++;
            return;
        }
        int kind = media.kind().ordinal();
        rtpPacketsByKind[kind]++;
        rtpBytesByKind[kind] += rtp.length();
        // An RTX packet carries the timestamp of the original it repeats, sent an RTT or more later:
        // its transit time says nothing about the network's jitter, so it gets no clock (no jitter).
        statistics.onRtp(rtp.ssrc(), rtp.sequenceNumber(), rtp.timestamp(), codec.isRtx() ? 0 : codec.clockRate(), nowNanos);
        if (codec.isRtx()) {
            onRtx(media, nowNanos);
            return;
        }
        NackGenerator nack = nackGenerator(rtp.ssrc(), media, codec);
        if (nack != null) {
            nack.onPacket(rtp.sequenceNumber(), nowNanos);
        }
        listener.onRtp(this, media, rtp, false, nowNanos);
    }

    /**
     * An RTX packet (RFC 4588): restored in place into the original it repairs, which goes to the
     * listener only when it was missing. The restored packet does not count in the media stream's
     * receive statistics (its loss is what the network did; the RTX stream has its own).
     */
    private void onRtx(NegotiatedMedia media, long nowNanos) {
        if (!rtx.restore(rtp, media)) {
            return;
        }
        NackGenerator nack = nackBySsrc.get((int) rtp.ssrc());
        if (nack == null || !nack.onRetransmission(rtp.sequenceNumber(), nowNanos)) {
            rtx.notNeeded();
            return;
        }
        listener.onRtp(this, media, rtp, true, nowNanos);
    }

    /** The stream's loss tracker, created on its first packet within {@link #MAX_NACK_STREAMS}. */
    private NackGenerator nackGenerator(long ssrc, NegotiatedMedia media, Codec codec) {
        NackGenerator nack = nackBySsrc.get((int) ssrc);
        if (nack != null || nackGeneratorCount == MAX_NACK_STREAMS) {
            if (nack == null) {
                nackStreamsRefused++;
            }
            return nack;
        }
        nack = new NackGenerator(ssrc);
        nackBySsrc.put((int) ssrc, nack);
        nackGenerators[nackGeneratorCount] = nack;
        // RFC 4585 §4.2: generic NACK only where the answer kept "a=rtcp-fb:<pt> nack" (browsers
        // negotiate it for video, not for Opus, which repairs itself with in-band FEC).
        nackNegotiated[nackGeneratorCount] = codec.feedback().contains(RtcpFeedback.NACK);
        nackGeneratorCount++;
        rtx.onMediaStream(media, ssrc);
        return nack;
    }

    /** Sends the NACKs due at {@code nowNanos}: one generic NACK (RFC 4585 §6.2.1) per stream with any. */
    private void sendNacks(long nowNanos) {
        long rtt = -1;
        boolean rttRead = false;
        for (int i = 0; i < nackGeneratorCount; i++) {
            NackGenerator nack = nackGenerators[i];
            if (!nackNegotiated[i] || nack.missingCount() == 0) {
                continue;
            }
            if (!rttRead) {
                rtt = roundTripTimeNanos();
                rttRead = true;
            }
            int count = nack.collectDue(nowNanos, rtt, nackItems, MAX_NACK_ITEMS);
            if (count == 0) {
                continue;
            }
            ByteBuf packet = allocator.buffer(NACK_HEADER_LENGTH + NACK_PAIR_LENGTH * count + RTCP_TAILROOM);
            if (!RtcpNack.write(packet, feedbackSenderSsrc, nack.ssrc(), nackItems, count)) {
                packet.release();
                continue;
            }
            nacksSent++;
            sendRtcp(packet);
        }
    }

    /**
     * This leg's round trip: the latest measured, from the peer's report blocks about our SRs (RFC
     * 3550 §6.4.1) or its DLRR about our RRTR (RFC 3611 §4.5: the only way on a leg we only
     * receive from), or -1 before the first.
     */
    private long roundTripTimeNanos() {
        return statistics.roundTripTimeNanos();
    }

    private void onRtcp(ByteBuf packet, long nowNanos) {
        try {
            handleRtcp(packet, nowNanos);
        } finally {
            packet.release();
        }
    }

    private void handleRtcp(ByteBuf packet, long nowNanos) {
        if (srtp == null) {
            drops[PeerDropReason.MEDIA_BEFORE_KEYS.ordinal()]++;
            return;
        }
        if (!srtp.unprotectRtcp(packet)) {
            drops[PeerDropReason.SRTP_UNPROTECT_REFUSED.ordinal()]++;
            return;
        }
        rtcpPacketsReceived++;
        rtcp.wrap(packet);
        while (rtcp.next()) {
            // Everything is terminated here, never relayed (RFC 3550 §6, RFC 8108): reports feed
            // this leg's statistics; SDES, BYE and transport feedback wait for the adaptation work.
            int type = rtcp.packetType();
            int offset = rtcp.packetOffset();
            int length = rtcp.packetLength();
            if (type == RtcpHeader.SENDER_REPORT) {
                if (!statistics.onSenderReport(packet, offset, length, nowNanos)) {
                    rtcpDrops[RtcpDropReason.REPORT_MALFORMED.ordinal()]++;
                }
                continue;
            }
            if (type == RtcpHeader.RECEIVER_REPORT) {
                if (!statistics.onReceiverReport(packet, offset, length, nowNanos)) {
                    rtcpDrops[RtcpDropReason.REPORT_MALFORMED.ordinal()]++;
                }
                continue;
            }
            if (type == RtcpHeader.EXTENDED_REPORT) {
                if (!statistics.onExtendedReport(packet, offset, length, nowNanos)) {
                    rtcpDrops[RtcpDropReason.EXTENDED_REPORT_MALFORMED.ordinal()]++;
                }
                continue;
            }
            if (type == RtcpHeader.TRANSPORT_FEEDBACK) {
                // Generic NACK (RFC 4585 §6.2.1) for a stream we send: answered from its history.
                if (rtcp.count() != RtcpNack.FORMAT) {
                    continue;
                }
                if (!nack.wrap(packet, offset, length)) {
                    rtcpDrops[RtcpDropReason.FEEDBACK_MALFORMED.ordinal()]++;
                    continue;
                }
                int tooOld = retransmissions.onNack(nack, roundTripTimeNanos(nack.mediaSsrc()), nowNanos, retransmissionSink);
                if (tooOld > 0 && sendSsrcIndex(nack.mediaSsrc()) >= 0) {
                    // Loss beyond what retransmission can repair (out of the history, or older than
                    // it may be resent): only a key frame helps. The router throttles per publisher,
                    // so a subscriber NACKing junk cannot make the publisher send more than it allows.
                    unrepairableNacks++;
                    listener.onKeyframeRequest(this, nack.mediaSsrc(), nowNanos);
                }
                continue;
            }
            if (type != RtcpHeader.PAYLOAD_FEEDBACK) {
                continue;
            }
            int format = rtcp.count();
            if (format == RtcpPictureLossIndication.FORMAT) {
                if (!pli.wrap(packet, offset, length)) {
                    rtcpDrops[RtcpDropReason.FEEDBACK_MALFORMED.ordinal()]++;
                } else if (sendSsrcIndex(pli.mediaSsrc()) < 0) {
                    rtcpDrops[RtcpDropReason.KEYFRAME_REQUEST_UNKNOWN_SSRC.ordinal()]++;
                } else {
                    keyframeRequestsReceived++;
                    listener.onKeyframeRequest(this, pli.mediaSsrc(), nowNanos);
                }
            } else if (format == RtcpFullIntraRequest.FORMAT) {
                if (!fir.wrap(packet, offset, length)) {
                    rtcpDrops[RtcpDropReason.FEEDBACK_MALFORMED.ordinal()]++;
                    continue;
                }
                for (int i = 0; i < fir.entryCount(); i++) {
                    // RFC 5104 §4.3.1.1-2: only entries for streams we send, and a repeated request
                    // (same command sequence number) must not cause another refresh.
                    int index = sendSsrcIndex(fir.entrySsrc(i));
                    if (index < 0) {
                        rtcpDrops[RtcpDropReason.KEYFRAME_REQUEST_UNKNOWN_SSRC.ordinal()]++;
                        continue;
                    }
                    if (lastFirSequence[index] == fir.entrySequenceNumber(i)) {
                        continue;
                    }
                    lastFirSequence[index] = fir.entrySequenceNumber(i);
                    keyframeRequestsReceived++;
                    listener.onKeyframeRequest(this, fir.entrySsrc(i), nowNanos);
                }
            }
        }
        if (rtcp.isMalformed()) {
            drops[PeerDropReason.RTCP_MALFORMED.ordinal()]++;
        }
    }

    /** The RTT the peer's reports gave for our stream {@code ssrc}, else the leg's, or -1 when unknown. */
    private long roundTripTimeNanos(long ssrc) {
        SendStatistics stream = statistics.sendStatistics(ssrc);
        long rtt = stream == null ? -1 : stream.roundTripTimeNanos();
        return rtt >= 0 ? rtt : roundTripTimeNanos();
    }

    private int sendSsrcIndex(long ssrc) {
        for (int i = 0; i < sendSsrcs.length; i++) {
            if (sendSsrcs[i] == ssrc) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Sends one RTP packet to the peer: SRTP-protects it in place and queues it on the socket of
     * this loop. Ownership: takes the buffer over (sent, or released on a drop). The buffer must
     * have {@link #RTP_TAILROOM} bytes of tailroom.
     *
     * <p>A stream with NACK negotiated keeps the packet for retransmission ({@link NackResponder}):
     * a pooled copy of the plaintext before protection when it is answered with RTX, else one more
     * reference to the protected packet (the copy and the reference belong to the history).
     */
    public void sendRtp(ByteBuf packet) {
        InetSocketAddress remote = mediaAddress;
        if (state != PeerState.CONNECTED || remote == null) {
            drops[PeerDropReason.SEND_NOT_READY.ordinal()]++;
            packet.release();
            return;
        }
        long sentNanos = recordSent(packet);
        boolean valid = sentRtp.isValid();
        if (valid) {
            retransmissions.beforeProtect(sentRtp, sentNanos);
        }
        if (!srtp.protectRtp(packet)) {
            drops[PeerDropReason.SRTP_PROTECT_REFUSED.ordinal()]++;
            packet.release();
            return;
        }
        if (valid) {
            retransmissions.afterProtect(packet, sentNanos);
        }
        rtpPacketsSent++;
        socket.send(packet, remote);
    }

    /**
     * Counts a packet for its send stream's SR; reads the clock once per RTP timestamp (frame) and
     * returns that send time (0 for a packet of no send stream of ours).
     */
    private long recordSent(ByteBuf packet) {
        if (!sentRtp.wrap(packet)) {
            return 0;   // SRTP will refuse it or the peer will drop it; not ours to judge here
        }
        SendStatistics stream = statistics.sendStatistics(sentRtp.ssrc());
        if (stream == null) {
            return 0;
        }
        long timestamp = sentRtp.timestamp();
        long sentNanos = stream.isNewTimestamp(timestamp) ? System.nanoTime() : stream.lastRtpTimestampNanos();
        stream.onPacket(timestamp, sentRtp.payloadLength(), sentNanos);
        return sentNanos;
    }

    /** Retransmissions from {@link #retransmissions}: sent like {@link #sendRtp}, but never kept again. */
    private final class RetransmissionSink implements NackResponder.Sink {
        @Override
        public void sendRtx(ByteBuf plaintextRtx) {
            InetSocketAddress remote = mediaAddress;
            if (state != PeerState.CONNECTED || remote == null) {
                drops[PeerDropReason.SEND_NOT_READY.ordinal()]++;
                plaintextRtx.release();
                return;
            }
            recordSent(plaintextRtx);   // the RTX SSRC's SR counts what it carried
            if (!srtp.protectRtp(plaintextRtx)) {
                drops[PeerDropReason.SRTP_PROTECT_REFUSED.ordinal()]++;
                plaintextRtx.release();
                return;
            }
            rtpPacketsSent++;
            socket.send(plaintextRtx, remote);
        }

        @Override
        public void resendProtected(ByteBuf srtpPacket) {
            InetSocketAddress remote = mediaAddress;
            if (state != PeerState.CONNECTED || remote == null) {
                drops[PeerDropReason.SEND_NOT_READY.ordinal()]++;
                srtpPacket.release();
                return;
            }
            rtpPacketsSent++;
            socket.send(srtpPacket, remote);
        }
    }

    /** As {@link #sendRtp} for one RTCP (compound) packet; needs {@link #RTCP_TAILROOM}. */
    public void sendRtcp(ByteBuf packet) {
        InetSocketAddress remote = mediaAddress;
        if (state != PeerState.CONNECTED || remote == null) {
            drops[PeerDropReason.SEND_NOT_READY.ordinal()]++;
            packet.release();
            return;
        }
        if (!srtp.protectRtcp(packet)) {
            drops[PeerDropReason.SRTP_PROTECT_REFUSED.ordinal()]++;
            packet.release();
            return;
        }
        rtcpPacketsSent++;
        socket.send(packet, remote);
    }

    /**
     * Asks the peer for a key frame of the stream it sends with {@code mediaSsrc}: a PLI (RFC 4585
     * §6.3.1), which every WebRTC endpoint negotiates ({@code a=rtcp-fb:* nack pli}).
     */
    public void requestKeyframe(long mediaSsrc) {
        ByteBuf pli = allocator.buffer(RtcpPictureLossIndication.LENGTH + RTCP_TAILROOM);
        RtcpPictureLossIndication.write(pli, feedbackSenderSsrc, mediaSsrc);
        keyframeRequestsSent++;
        sendRtcp(pli);
    }

    /**
     * Tailroom an RTP packet needs for {@link #sendRtp}: the largest SRTP tag of any profile we
     * negotiate (RFC 7714 §8.2: 16 bytes for AEAD_AES_128_GCM), so the forwarder can size its
     * buffers before it knows a subscriber's profile.
     */
    public static final int RTP_TAILROOM = maxAuthTag();

    /** Tailroom an RTCP packet needs for {@link #sendRtcp}: tag plus the 4-byte SRTCP index. */
    public static final int RTCP_TAILROOM = maxAuthTag() + 4;

    private static int maxAuthTag() {
        int max = 0;
        for (SrtpProfile profile : SrtpProfile.values()) {
            max = Math.max(max, profile.authTagLength());
        }
        return max;
    }

    /** The allocator for packets sent through this peer (pooled heap buffers: SRTP works in place). */
    public ByteBufAllocator allocator() {
        return allocator;
    }

    /**
     * Called by DTLS on its executor thread: hand the flight to the loop, then the socket. Also
     * after {@link #close}: the DTLS transport's close_notify (RFC 5246 §7.2.1) is sent from here
     * once the peer is closed, and it must go out so that the remote side stops at once instead of
     * waiting for its own consent or ICE timeout.
     */
    private void sendDtls(byte[] data, int offset, int length) {
        ByteBuf datagram = allocator.buffer(length).writeBytes(data, offset, length);
        try {
            loop.execute(() -> {
                InetSocketAddress remote = mediaAddress;
                if (remote == null) {
                    drops[PeerDropReason.SEND_NOT_READY.ordinal()]++;
                    datagram.release();
                    return;
                }
                socket.send(datagram, remote);
            });
        } catch (RejectedExecutionException e) {
            // The engine is shutting down and the loop takes no more tasks.
            datagram.release();
        }
    }

    private final class DtlsEvents implements DtlsTransport.Listener {
        @Override
        public void onConnected(SrtpKeyingMaterial keys) {
            loop.execute(() -> {
                if (state != PeerState.CONNECTING) {
                    return;
                }
                srtp = new SrtpSession(keys);
                state = PeerState.CONNECTED;
                reportInterval.start(System.nanoTime());
                LOG.info("Peer {} connected from {} ({})", id, mediaAddress, keys.profile());
                listener.onConnected(PeerConnection.this);
            });
        }

        @Override
        public void onClosed(String reason) {
            close("dtls: " + reason);
        }
    }

    private void checkTimers() {
        onTimer(System.nanoTime());
    }

    /** The periodic work of the peer at {@code nowNanos}: ICE timeouts, then our RTCP report if due. */
    void onTimer(long nowNanos) {
        if (ice.isConsentExpired(nowNanos)) {
            close("ice: consent expired (no connectivity check for the consent timeout)");
        } else if (ice.selectedAddress() == null && nowNanos - createdNanos > connectTimeoutNanos) {
            close("ice: no connectivity check within the connect timeout");
        } else if (state == PeerState.CONNECTED) {
            sendTransportFeedback(nowNanos);
            retransmissions.sendDeferred(nowNanos, retransmissionSink);
            sendNacks(nowNanos);
            if (reportInterval.isDue(nowNanos)) {
                sendReport(nowNanos);
            }
        }
    }

    /** Sends transport-wide feedback for what arrived since the last one, at most every {@link #TRANSPORT_FEEDBACK_INTERVAL_NANOS}. */
    private void sendTransportFeedback(long nowNanos) {
        if (transportFeedback == null || !transportFeedback.hasPending()
                || nowNanos - lastTransportFeedbackNanos < TRANSPORT_FEEDBACK_INTERVAL_NANOS) {
            return;
        }
        lastTransportFeedbackNanos = nowNanos;
        ByteBuf feedback = allocator.buffer(TransportFeedbackGenerator.maxFeedbackLength() + RTCP_TAILROOM);
        if (transportFeedback.writeFeedback(feedback, feedbackSenderSsrc, transportFeedbackMediaSsrc)) {
            sendRtcp(feedback);
        } else {
            feedback.release();
        }
    }

    /** Transport-wide feedback messages sent to this peer. */
    public long transportFeedbackSent() {
        return transportFeedback == null ? 0 : transportFeedback.feedbackSent();
    }

    /**
     * Sends our compound RTCP report (RFC 3550 §6.1; see {@link PeerStatistics}): SR or RR with
     * report blocks, then SDES.
     */
    private void sendReport(long nowNanos) {
        reportInterval.reported(nowNanos);
        ByteBuf report = allocator.buffer(statistics.maxReportLength() + RTCP_TAILROOM);
        statistics.writeReport(report, nowNanos);
        sendRtcp(report);
    }

    /** Closes the peer and frees everything; idempotent, from any thread. */
    public void close(String reason) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> close(reason));
            return;
        }
        if (state == PeerState.CLOSED) {
            return;
        }
        state = PeerState.CLOSED;
        engine.demux().unregister(this);
        boundAddresses.clear();
        if (timer != null) {
            timer.cancel(false);
        }
        dtls.close();
        if (srtp != null) {
            srtp.close();
        }
        retransmissions.close();
        engine.peerClosed(this);
        LOG.info("Peer {} closed: {} ({})", id, reason, summary());
        listener.onClosed(this, reason);
    }

    /** What this peer's leg carried, for the log line at close: packets, repairs and drops by reason. */
    private String summary() {
        StringBuilder text = new StringBuilder()
                .append("rtp in ").append(rtpPacketsByKind[MediaKind.AUDIO.ordinal()]).append(" audio/")
                .append(rtpPacketsByKind[MediaKind.VIDEO.ordinal()]).append(" video, rtp out ").append(rtpPacketsSent)
                .append(", nacks sent ").append(nacksSent)
                .append(", keyframe requests sent ").append(keyframeRequestsSent).append(" received ").append(keyframeRequestsReceived)
                .append(", transport feedback sent ").append(transportFeedbackSent());
        for (PeerDropReason reason : PeerDropReason.values()) {
            if (drops[reason.ordinal()] > 0) {
                text.append(", dropped ").append(reason.name().toLowerCase(Locale.ROOT)).append(' ').append(drops[reason.ordinal()]);
            }
        }
        if (srtp != null) {
            for (SrtpDropReason reason : SrtpDropReason.values()) {
                long count = srtp.counters().drops(reason);
                if (count > 0) {
                    text.append(", srtp ").append(reason.name().toLowerCase(Locale.ROOT)).append(' ').append(count);
                }
            }
        }
        return text.toString();
    }

    /** Datagrams dropped for {@code reason}. */
    public long dropCount(PeerDropReason reason) {
        return drops[reason.ordinal()];
    }

    /** Packets of RTCP compounds ignored for {@code reason} (the rest of their compound was used). */
    public long rtcpDropCount(RtcpDropReason reason) {
        return rtcpDrops[reason.ordinal()];
    }

    public long rtpPacketsReceived(MediaKind kind) {
        return rtpPacketsByKind[kind.ordinal()];
    }

    public long rtpBytesReceived(MediaKind kind) {
        return rtpBytesByKind[kind.ordinal()];
    }

    public long rtcpPacketsReceived() {
        return rtcpPacketsReceived;
    }

    public long keyframeRequestsReceived() {
        return keyframeRequestsReceived;
    }

    public long rtpPacketsSent() {
        return rtpPacketsSent;
    }

    public long rtcpPacketsSent() {
        return rtcpPacketsSent;
    }

    /** Generic NACKs sent to this peer (one per stream per timer tick at most). */
    public long nacksSent() {
        return nacksSent;
    }

    /**
     * The loss tracker of the incoming media stream {@code ssrc} (gaps, NACKed, recovered, gave
     * up), or null when no packet of it arrived. Read on the peer's loop.
     */
    public NackGenerator nackGenerator(long ssrc) {
        return nackBySsrc.get((int) ssrc);
    }

    /** Incoming media streams not tracked for loss because {@link #MAX_NACK_STREAMS} were. */
    public long nackStreamsRefused() {
        return nackStreamsRefused;
    }

    /** RTX packets dropped for {@code reason}. */
    public long rtxDropCount(RtxDepacketizer.DropReason reason) {
        return rtx.dropCount(reason);
    }

    /** RTX packets restored into their originals (those not needed included). */
    public long rtxRestored() {
        return rtx.restored();
    }

    /**
     * NACKs asking for packets too old to be retransmitted, each turned into a key frame request
     * for that stream (counted apart from the peer's own PLIs and FIRs).
     */
    public long unrepairableNacks() {
        return unrepairableNacks;
    }

    /** PLIs sent to this peer through {@link #requestKeyframe}. */
    public long keyframeRequestsSent() {
        return keyframeRequestsSent;
    }

    /**
     * This leg's RTCP statistics: per incoming SSRC (packets, loss, jitter), per outgoing SSRC
     * (packets, octets, RTT), reports sent and received. Read on the peer's loop.
     */
    public PeerStatistics statistics() {
        return statistics;
    }

    /** Retransmission on our send streams: histories and NACK/RTX counters. Read on the peer's loop. */
    public NackResponder retransmissions() {
        return retransmissions;
    }

    /** The SRTP session once connected (for its counters), else null. */
    public SrtpSession srtp() {
        return srtp;
    }

    public IceLiteAgent ice() {
        return ice;
    }

    public DtlsTransport dtls() {
        return dtls;
    }

    @Override
    public String toString() {
        return "PeerConnection{" + id + ", " + state + ", " + mediaAddress + "}";
    }
}
