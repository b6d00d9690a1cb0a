package org.archipelago.media.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.archipelago.media.rtp.RedPayload;
import org.archipelago.media.rtp.RtpPacket;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The media router of one room: its {@link Source sources} (inbound tracks) and its
 * {@link Downstream downstreams} (each subscriber's copy of a track), and the fan-out between them.
 *
 * <h2>Threading</h2>
 * A router is owned by one event loop, the room's: every method, and every call it makes into
 * sinks, runs on that loop, so nothing here is locked or volatile. Other threads (signaling, a peer
 * on another loop) submit tasks to the loop. The router does not check the thread itself; the
 * room that owns it does.
 *
 * <h2>Fan-out</h2>
 * {@link #onRtp} borrows the source packet. For each downstream that wants it, it copies the packet
 * once into a pooled heap buffer with the egress tailroom (SRTP protects in place), rewrites SSRC,
 * sequence number, timestamp and payload type in place ({@link RtpStreamRewriter}) and hands the
 * copy to the downstream's {@link RtpSink}, which owns it from then on. Nothing else is allocated
 * per packet: subscription changes replace a source's downstream array (copy on write) so the
 * packet path iterates a plain array, and is safe against changes made while it runs.
 *
 * <h2>Redundant audio (RED)</h2>
 * A RED packet (RFC 2198) goes to a subscriber that negotiated RED byte for byte, like any packet
 * (its rewriter maps the RED payload type to the subscriber's). For a subscriber that did not
 * ({@link RtpStreamRewriter#unwrapRed}), the packet is parsed once ({@link RedPayload}) and the
 * copy carries the header and the primary block only, under the primary's payload type; a packet
 * whose RED headers are malformed is counted on the source and dropped for those subscribers.
 *
 * <h2>Key frames</h2>
 * {@link #subscribe} puts a downstream in waiting: it switches to the new source at that source's
 * next key frame ({@link KeyframeDetector}, chosen per payload type), and until then keeps
 * forwarding its current source, if any. Every new need — a subscribe, a switch, a subscriber's
 * PLI ({@link #onKeyframeRequest}), a source whose stream starts or restarts (SSRC change) while
 * someone waits — goes to the source's {@link KeyframeRequester}, which throttles what reaches the
 * publisher, at the interval of the source's {@link SourceLayer} ({@link KeyframeThrottle}). Codecs
 * whose key frames are not detected yet ({@link KeyframeDetector#UNDETECTED}) switch at once. Each
 * source waits only for its own key frames: audio, every packet of which is one
 * ({@link KeyframeDetector#AUDIO}), is never held back by a video source of the same publisher
 * that is still waiting.
 *
 * <h2>Bad input</h2>
 * Nothing on the packet path throws: an invalid packet is counted on its source and dropped; a
 * packet for a removed source is counted and dropped. Mistakes on the control path (a downstream
 * of another router, a removed source) raise {@link IllegalArgumentException}.
 *
 * <p>{@link #onRtp} takes a source's media packets only; retransmissions (RTX) are for the coming
 * retransmission work, which will map them through the same rewriter.
 */
public final class Router {
    private final ByteBufAllocator allocator;
    private final int egressTailroom;
    private final KeyframeThrottle keyframeThrottle;
    private final RandomGenerator random;
    private static final int RED_NOT_PARSED = 0;
    private static final int RED_VALID = 1;
    private static final int RED_MALFORMED = 2;

    private final RtpPacket egress = new RtpPacket();
    /** The RED payload of the packet {@link #onRtp} is forwarding, parsed when a downstream unwraps it. */
    private final RedPayload red = new RedPayload();
    /** Whether {@link #red} holds the current packet's payload: {@code RED_NOT_PARSED} at each packet. */
    private int redState;
    private final List<Source> sources = new ArrayList<>();
    private final List<Downstream> downstreams = new ArrayList<>();

    private long packetsForRemovedSources;

    /**
     * A router with the default key frame throttling ({@link KeyframeThrottle#defaults()}).
     *
     * @param allocator      where egress copies come from; must pool (e.g. the subscriber peers'
     *                       {@code PeerConnection.allocator()})
     * @param egressTailroom bytes of room behind each egress packet ({@code PeerConnection.RTP_TAILROOM})
     */
    public Router(ByteBufAllocator allocator, int egressTailroom) {
        this(allocator, egressTailroom, KeyframeThrottle.defaults(), new SplittableRandom());
    }

    /**
     * @param keyframeThrottle how often each source's publisher may be asked for a key frame, by layer
     * @param random           picks each downstream's initial sequence number and timestamp
     */
    public Router(ByteBufAllocator allocator, int egressTailroom, KeyframeThrottle keyframeThrottle,
                  RandomGenerator random) {
        if (allocator == null || keyframeThrottle == null || random == null) {
            throw new IllegalArgumentException("allocator, keyframeThrottle and random must not be null");
        }
        if (egressTailroom < 0) {
            throw new IllegalArgumentException("egressTailroom must not be negative: " + egressTailroom);
        }
        this.allocator = allocator;
        this.egressTailroom = egressTailroom;
        this.keyframeThrottle = keyframeThrottle;
        this.random = random;
    }

    // ---------------------------------------------------------------- control path

    /** Adds an inbound track without simulcast (a {@link SourceLayer#LOW} one); see {@link #addSource(String, SourceLayer, KeyframeDetector, KeyframeRequestSink)}. */
    public Source addSource(String id, KeyframeDetector detector, KeyframeRequestSink requestSink) {
        return addSource(id, SourceLayer.LOW, detector, requestSink);
    }

    /**
     * Adds an inbound track.
     *
     * @param layer         where it sits among its publisher's layers: decides how often its
     *                      publisher may be asked for a key frame ({@link KeyframeThrottle})
     * @param detector      how to find key frames in its packets (any payload type; refine per
     *                      payload type with {@link Source#keyframeDetector(int, KeyframeDetector)})
     * @param requestSink   how to ask its publisher for a key frame
     */
    public Source addSource(String id, SourceLayer layer, KeyframeDetector detector, KeyframeRequestSink requestSink) {
        if (layer == null || detector == null || requestSink == null) {
            throw new IllegalArgumentException("layer, detector and requestSink must not be null");
        }
        Source source = new Source(id, layer, detector, keyframeThrottle.requester(layer, requestSink));
        sources.add(source);
        return source;
    }

    /**
     * Removes a source (its publisher left or went off stage). Downstreams it fed stop, keeping
     * their output state, so a later {@link #subscribe} continues their stream; downstreams waiting
     * for it keep forwarding what they had.
     */
    public void removeSource(Source source) {
        requireOwned(source);
        for (Downstream downstream : source.downstreams) {
            if (downstream.source == source) {
                downstream.source = null;
            }
            if (downstream.pendingSource == source) {
                downstream.pendingSource = null;
            }
        }
        source.downstreams = Source.NO_DOWNSTREAMS;
        source.waitingDownstreams = 0;
        source.removed = true;
        source.keyframeRequester.cancel();
        sources.remove(source);
    }

    /** Adds a subscriber's track with a random initial sequence number and timestamp (RFC 3550 §5.1). */
    public Downstream addDownstream(String id, long ssrc, int clockRate, RtpSink sink) {
        return addDownstream(id, new RtpStreamRewriter(ssrc, clockRate, random.nextInt(1 << 16),
                random.nextLong() & 0xFFFF_FFFFL), sink);
    }

    /** Adds a subscriber's track with a rewriter of the caller's making (explicit initial numbers). */
    public Downstream addDownstream(String id, RtpStreamRewriter rewriter, RtpSink sink) {
        if (rewriter == null || sink == null) {
            throw new IllegalArgumentException("rewriter and sink must not be null");
        }
        Downstream downstream = new Downstream(id, rewriter, sink);
        downstreams.add(downstream);
        return downstream;
    }

    /** Unsubscribes and forgets a downstream (the subscriber left or stopped the track). */
    public void removeDownstream(Downstream downstream) {
        unsubscribe(downstream);
        downstream.removed = true;
        downstreams.remove(downstream);
    }

    /**
     * Feeds {@code downstream} from {@code source}: at once if the downstream was already fed by
     * it, otherwise from the source's next key frame (the downstream keeps forwarding its current
     * source until then), asking the publisher for one. Subscribing to another source is a switch;
     * the subscriber's stream stays continuous.
     */
    public void subscribe(Downstream downstream, Source source, long nowNanos) {
        requireOwned(downstream);
        requireOwned(source);
        if (downstream.pendingSource == source) {
            return;
        }
        clearPending(downstream);
        if (downstream.source == source) {
            return;
        }
        downstream.pendingSource = source;
        source.waitingDownstreams++;
        attach(source, downstream);
        source.keyframeRequester.request(nowNanos);
    }

    /** Stops feeding {@code downstream}; its output state stays for a later {@link #subscribe}. */
    public void unsubscribe(Downstream downstream) {
        requireOwned(downstream);
        clearPending(downstream);
        Source current = downstream.source;
        if (current != null) {
            downstream.source = null;
            detach(current, downstream);
        }
    }

    /**
     * A subscriber asked for a key frame on this downstream (its PLI or FIR): passed on, throttled,
     * to the source it is fed from (or waits for).
     */
    public void onKeyframeRequest(Downstream downstream, long nowNanos) {
        requireOwned(downstream);
        Source target = downstream.source != null ? downstream.source : downstream.pendingSource;
        if (target != null) {
            downstream.keyframeRequests++;
            target.keyframeRequester.request(nowNanos);
        }
    }

    /** Lets each source's key frame requester send what is due; call it from a periodic task. */
    public void poll(long nowNanos) {
        for (int i = 0; i < sources.size(); i++) {
            sources.get(i).keyframeRequester.poll(nowNanos);
        }
    }

    public List<Source> sources() {
        return List.copyOf(sources);
    }

    public List<Downstream> downstreams() {
        return List.copyOf(downstreams);
    }

    /** Packets passed to {@link #onRtp} for a source already removed. */
    public long packetsForRemovedSources() {
        return packetsForRemovedSources;
    }

    // ---------------------------------------------------------------- packet path

    /**
     * Forwards one packet of {@code source} to every downstream that wants it.
     *
     * @param packet a view over the source packet, borrowed for the call: the caller keeps and
     *               releases the buffer; the router copies what it forwards
     */
    public void onRtp(Source source, RtpPacket packet, long nowNanos) {
        if (source.removed) {
            packetsForRemovedSources++;
            return;
        }
        if (!packet.isValid()) {
            source.invalidPackets++;
            return;
        }
        source.packets++;
        redState = RED_NOT_PARSED;
        boolean starts = !source.started;
        long ssrc = packet.ssrc();
        if (starts) {
            source.started = true;
            source.ssrc = ssrc;
        } else if (ssrc != source.ssrc) {
            restart(source, ssrc);
            starts = true;
        }
        KeyframeRequester requester = source.keyframeRequester;
        KeyframeStatus status = null;
        if (source.waitingDownstreams > 0 || requester.isPending()) {
            status = source.detector(packet.payloadType()).check(packet);
            if (status == KeyframeStatus.KEYFRAME) {
                source.keyframes++;
                requester.onKeyframe(nowNanos);
            } else if (starts && source.waitingDownstreams > 0) {
                // The stream starts or restarts while someone waits: whatever was asked before
                // may have reached a publisher that was not sending yet.
                requester.request(nowNanos);
            }
        }
        requester.poll(nowNanos);

        Downstream[] targets = source.downstreams;
        for (int i = 0; i < targets.length; i++) {
            Downstream downstream = targets[i];
            if (downstream.pendingSource == source) {
                if (status == null) {
                    status = source.detector(packet.payloadType()).check(packet);
                }
                if (status == KeyframeStatus.NOT_KEYFRAME) {
                    downstream.droppedWaitingForKeyframe++;
                    continue;
                }
                completeSwitch(downstream, source);
            } else if (downstream.source != source) {
                continue; // unsubscribed while this array was being iterated
            }
            forward(source, downstream, packet, nowNanos);
        }
    }

    private void forward(Source source, Downstream downstream, RtpPacket packet, long nowNanos) {
        RtpStreamRewriter rewriter = downstream.rewriter;
        int payloadType = packet.payloadType();
        int redPrimary = rewriter.redPrimaryPayloadType(payloadType);
        boolean unwrap = false;
        if (redPrimary != RtpStreamRewriter.NOT_UNWRAPPED) {
            // RED for a subscriber without it: the primary block alone. A packet without payload
            // (padding only, as libwebrtc probes bandwidth) has no block: it goes as it is, under
            // the primary's payload type, so the subscriber's sequence stays without a gap.
            if (packet.payloadLength() == 0) {
                payloadType = redPrimary;
            } else if (parseRed(source, packet) && red.primaryPayloadType() == redPrimary) {
                unwrap = true;
                payloadType = red.primaryPayloadType();
            } else {
                // Malformed, or a primary of another codec than the one announced: not sent, which
                // the subscriber sees as one lost packet (audio is not retransmitted; Opus conceals).
                downstream.droppedMalformedRed++;
                return;
            }
        }
        if (!rewriter.accept(packet.sequenceNumber(), packet.timestamp(), payloadType, nowNanos)) {
            downstream.droppedTooOld++;
            return;
        }
        int length = unwrap ? packet.headerLength() + red.primaryLength() : packet.length();
        ByteBuf copy = allocator.heapBuffer(length + egressTailroom);
        if (unwrap) {
            red.writePrimaryPacket(packet, copy);
            downstream.redUnwrapped++;
        } else {
            copy.writeBytes(packet.buffer(), packet.offset(), length);
        }
        egress.wrap(copy, 0, length);
        rewriter.write(egress);
        downstream.forwarded++;
        downstream.sink.send(copy);
    }

    /** Parses the packet's RED payload once per packet, however many downstreams unwrap it. */
    private boolean parseRed(Source source, RtpPacket packet) {
        if (redState == RED_NOT_PARSED) {
            boolean valid = red.wrap(packet.buffer(), packet.payloadOffset(), packet.payloadLength())
                    && red.primaryPayloadType() != packet.payloadType();
            redState = valid ? RED_VALID : RED_MALFORMED;
            if (!valid) {
                source.malformedRedPackets++;
            }
        }
        return redState == RED_VALID;
    }

    /** The publisher restarted the stream behind the source: everyone fed by it waits for a key frame. */
    private void restart(Source source, long ssrc) {
        source.restarts++;
        source.ssrc = ssrc;
        for (Downstream downstream : source.downstreams) {
            if (downstream.source != source) {
                continue;
            }
            if (downstream.pendingSource == null) {
                downstream.pendingSource = source;
                source.waitingDownstreams++;
            } else {
                // Already switching elsewhere: stop forwarding the restarted stream meanwhile.
                downstream.source = null;
                detach(source, downstream);
            }
        }
        // onRtp asks for the key frame: a restart is a stream that starts.
    }

    private void completeSwitch(Downstream downstream, Source source) {
        Source previous = downstream.source;
        downstream.pendingSource = null;
        downstream.source = source;
        source.waitingDownstreams--;
        downstream.rewriter.switchSource();
        if (previous != null && previous != source) {
            detach(previous, downstream);
        }
    }

    private void clearPending(Downstream downstream) {
        Source pending = downstream.pendingSource;
        if (pending != null) {
            downstream.pendingSource = null;
            pending.waitingDownstreams--;
            if (downstream.source == pending) {
                // It was waiting for its own source's restarted stream: that stream is not
                // decodable from here without the key frame, so it is no longer forwarded.
                downstream.source = null;
            }
            detach(pending, downstream);
        }
    }

    private static void attach(Source source, Downstream downstream) {
        Downstream[] current = source.downstreams;
        for (Downstream present : current) {
            if (present == downstream) {
                return;
            }
        }
        Downstream[] grown = Arrays.copyOf(current, current.length + 1);
        grown[current.length] = downstream;
        source.downstreams = grown;
    }

    /** Drops {@code downstream} from the source's array unless it is still fed by or waiting for it. */
    private static void detach(Source source, Downstream downstream) {
        if (downstream.source == source || downstream.pendingSource == source) {
            return;
        }
        Downstream[] current = source.downstreams;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == downstream) {
                Downstream[] shrunk = new Downstream[current.length - 1];
                System.arraycopy(current, 0, shrunk, 0, i);
                System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
                source.downstreams = shrunk.length == 0 ? Source.NO_DOWNSTREAMS : shrunk;
                return;
            }
        }
    }

    private void requireOwned(Source source) {
        if (source == null || source.removed || !sources.contains(source)) {
            throw new IllegalArgumentException("not a live source of this router: " + source);
        }
    }

    private void requireOwned(Downstream downstream) {
        if (downstream == null || downstream.removed || !downstreams.contains(downstream)) {
            throw new IllegalArgumentException("not a live downstream of this router: " + downstream);
        }
    }
}
