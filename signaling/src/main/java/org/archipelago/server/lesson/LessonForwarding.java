package org.archipelago.server.lesson;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.archipelago.media.peer.MediaEngine;
import org.archipelago.media.peer.PeerConnection;
import org.archipelago.media.router.Downstream;
import org.archipelago.media.router.KeyframeDetector;
import org.archipelago.media.router.KeyframeThrottle;
import org.archipelago.media.router.Router;
import org.archipelago.media.router.Source;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.Codec;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.sdp.NegotiatedMedia;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Who receives whom in a lesson, carried out by the room's {@link Router}.
 *
 * <p>Each participant's m-sections become router sources (what it sends, by {@link Purpose}) and
 * downstreams (what we send it, on the SSRCs of our answer). {@link #refresh} applies the lesson's
 * routing from the room's state:
 * <ul>
 *   <li>teacher audio, camera and (while shared) screen to everyone who asked for them;</li>
 *   <li>the classroom on stage to every stage slot, its voice too; without a stage, the voice of
 *       the classroom with the floor;</li>
 *   <li>each classroom to the teacher's classroom slot the room assigned it.</li>
 * </ul>
 * A subscriber is fed only once it is connected, so the key frame the router asks for on its
 * behalf reaches it. Owned by the room's event loop, like the router.
 */
final class LessonForwarding {
    private static final long POLL_MILLIS = 100;

    private final Router router;
    private final ScheduledFuture<?> timer;
    private final Map<Participant, Tracks> tracks = new LinkedHashMap<>();

    /** What the room's routing depends on. */
    record RoomState(Participant teacher, Participant stage, Participant floor, boolean screenOn, Map<Participant, Integer> slotOf) {
    }

    /** One participant's tracks. */
    private static final class Tracks {
        final Map<NegotiatedMedia, PublishedTrack> sources = new IdentityHashMap<>();
        final Map<Purpose, PublishedTrack> sourceByPurpose = new EnumMap<>(Purpose.class);
        final List<Receiving> receiving = new ArrayList<>();
        boolean connected;
    }

    /** A source and the SSRC its publisher sends it with (for key frame requests). */
    private static final class PublishedTrack {
        final NegotiatedMedia media;
        Source source;
        long ssrc = -1;

        PublishedTrack(NegotiatedMedia media) {
            this.media = media;
        }
    }

    /** A downstream, what it is for, and for classroom slots which slot. */
    private record Receiving(Purpose purpose, int slot, NegotiatedMedia media, Downstream downstream) {
    }

    LessonForwarding(EventLoop loop, KeyframeThrottle keyframeThrottle) {
        this.router = new Router(MediaEngine.heapAllocator(), PeerConnection.RTP_TAILROOM, keyframeThrottle,
                new SplittableRandom());
        // The router's key frame retries run on its own clock: poll it from the room's loop.
        this.timer = loop.scheduleAtFixedRate(() -> router.poll(System.nanoTime()), POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    Router router() {
        return router;
    }

    void added(Participant participant) {
        PeerConnection peer = participant.peer();
        Tracks own = new Tracks();
        int videoSlots = 0;
        int audioSlots = 0;
        for (NegotiatedMedia media : peer.answer().negotiatedMedia()) {
            Layout.Section section = participant.layout().section(media.mid());
            if (section == null) {
                continue;
            }
            if (section.send() != null && media.direction().receives() && !own.sourceByPurpose.containsKey(section.send())) {
                PublishedTrack track = publish(peer, media);
                own.sources.put(media, track);
                own.sourceByPurpose.put(section.send(), track);
            }
            if (section.receive() != null && media.direction().sends() && media.sendStream() != null && !media.primaryCodecs().isEmpty()) {
                int slot = section.receive() == Purpose.CLASSROOM_VIDEO ? videoSlots++
                        : section.receive() == Purpose.CLASSROOM_AUDIO ? audioSlots++ : 0;
                Downstream downstream = router.addDownstream(peer.id() + "/" + media.mid(), media.sendStream().ssrc(),
                        media.primaryCodecs().get(0).clockRate(), peer::sendRtp);
                own.receiving.add(new Receiving(section.receive(), slot, media, downstream));
            }
        }
        tracks.put(participant, own);
    }

    private PublishedTrack publish(PeerConnection peer, NegotiatedMedia media) {
        PublishedTrack track = new PublishedTrack(media);
        // Audio: every packet decodes. Video codecs other than VP8 are not parsed yet: the router
        // forwards them without waiting and keeps asking for a key frame (see KeyframeDetector).
        KeyframeDetector detector = media.kind() == MediaKind.AUDIO ? KeyframeDetector.AUDIO : KeyframeDetector.UNDETECTED;
        track.source = router.addSource(peer.id() + "/" + media.mid(), detector, () -> {
            if (track.ssrc >= 0) {
                peer.requestKeyframe(track.ssrc);
            }
        });
        for (Codec codec : media.primaryCodecs()) {
            if (codec.name().equalsIgnoreCase("VP8")) {
                track.source.keyframeDetector(codec.payloadType(), KeyframeDetector.VP8);
            }
        }
        return track;
    }

    /** The participant can receive now; the caller refreshes. */
    void connected(Participant participant) {
        Tracks own = tracks.get(participant);
        if (own != null) {
            own.connected = true;
        }
    }

    /** The participant is gone; the caller refreshes. */
    void removed(Participant participant) {
        Tracks own = tracks.remove(participant);
        if (own == null) {
            return;
        }
        for (PublishedTrack track : own.sources.values()) {
            router.removeSource(track.source);
        }
        for (Receiving receiving : own.receiving) {
            router.removeDownstream(receiving.downstream());
        }
    }

    /**
     * A publisher's packet, to the router. {@code recovered}: the peer restored it from RTX (RFC
     * 4588) after a NACK; it is the original packet, late, and the router's rewriter maps it into
     * each subscriber's stream like any reordered packet, so it is forwarded the same way.
     */
    void onRtp(Participant participant, NegotiatedMedia media, RtpPacket packet, boolean recovered, long nowNanos) {
        Tracks own = tracks.get(participant);
        PublishedTrack track = own == null ? null : own.sources.get(media);
        if (track == null) {
            return;
        }
        track.ssrc = packet.ssrc();
        router.onRtp(track.source, packet, nowNanos);
    }

    void onKeyframeRequest(Participant participant, long mediaSsrc, long nowNanos) {
        Tracks own = tracks.get(participant);
        if (own == null) {
            return;
        }
        for (Receiving receiving : own.receiving) {
            if (receiving.media().sendStream().ssrc() == mediaSsrc) {
                router.onKeyframeRequest(receiving.downstream(), nowNanos);
            }
        }
    }

    /** Applies the lesson's routing to every connected participant. */
    void refresh(RoomState state) {
        long now = System.nanoTime();
        Map<Integer, Participant> bySlot = new LinkedHashMap<>();
        state.slotOf().forEach((classroom, slot) -> bySlot.put(slot, classroom));
        for (Map.Entry<Participant, Tracks> entry : tracks.entrySet()) {
            Participant subscriber = entry.getKey();
            Tracks own = entry.getValue();
            if (!own.connected) {
                continue;
            }
            for (Receiving receiving : own.receiving) {
                PublishedTrack track = sourceFor(subscriber, receiving, state, bySlot);
                Downstream downstream = receiving.downstream();
                if (track == null) {
                    if (downstream.source() != null || downstream.pendingSource() != null) {
                        router.unsubscribe(downstream);
                    }
                } else if (downstream.source() != track.source && downstream.pendingSource() != track.source) {
                    mapPayloadTypes(track.media, receiving.media(), downstream);
                    router.subscribe(downstream, track.source, now);
                }
            }
        }
    }

    private PublishedTrack sourceFor(Participant subscriber, Receiving receiving, RoomState state, Map<Integer, Participant> bySlot) {
        Participant stageVoice = state.stage() != null ? state.stage() : state.floor();
        return switch (receiving.purpose()) {
            case TEACHER_AUDIO -> track(state.teacher(), subscriber, Purpose.MICROPHONE);
            case TEACHER_CAMERA -> track(state.teacher(), subscriber, Purpose.CAMERA);
            case TEACHER_SCREEN -> state.screenOn() ? track(state.teacher(), subscriber, Purpose.SCREEN) : null;
            case STAGE_VIDEO -> track(state.stage(), subscriber, Purpose.CAMERA);
            case STAGE_AUDIO -> track(stageVoice, subscriber, Purpose.MICROPHONE);
            case CLASSROOM_VIDEO -> track(bySlot.get(receiving.slot()), subscriber, Purpose.CAMERA);
            case CLASSROOM_AUDIO -> track(bySlot.get(receiving.slot()), subscriber, Purpose.MICROPHONE);
            default -> null;
        };
    }

    /** The publisher's track for {@code purpose}, never a participant's own. */
    private PublishedTrack track(Participant publisher, Participant subscriber, Purpose purpose) {
        if (publisher == null || publisher == subscriber) {
            return null;
        }
        Tracks published = tracks.get(publisher);
        return published == null ? null : published.sourceByPurpose.get(purpose);
    }

    /**
     * Publisher and subscriber may number the same codec differently: map by codec name. RED (RFC
     * 2198) goes whole only to a subscriber that has it and numbers its blocks' codec as the
     * publisher does (the block headers inside the payload carry the publisher's numbers, which
     * are not rewritten); any other subscriber gets the primary block of each RED packet, the codec
     * RED's fmtp names first (both sides accepted it: see SdpAnswerBuilder).
     */
    static void mapPayloadTypes(NegotiatedMedia from, NegotiatedMedia to, Downstream downstream) {
        downstream.rewriter().clearPayloadTypeMap();
        for (Codec source : from.primaryCodecs()) {
            Codec target = sameCodec(source, to);
            if (source.isRed() && (target == null || !sameBlockNumbers(source, from, to))) {
                downstream.rewriter().unwrapRed(source.payloadType(), source.redBlockPayloadTypes().get(0));
            } else if (target != null) {
                downstream.rewriter().mapPayloadType(source.payloadType(), target.payloadType());
            }
        }
    }

    /** Whether each codec a RED's blocks may carry has the same payload type at the subscriber. */
    private static boolean sameBlockNumbers(Codec red, NegotiatedMedia from, NegotiatedMedia to) {
        for (int blockType : red.redBlockPayloadTypes()) {
            Codec block = from.codec(blockType);
            Codec target = block == null ? null : sameCodec(block, to);
            if (target == null || target.payloadType() != blockType) {
                return false;
            }
        }
        return true;
    }

    private static Codec sameCodec(Codec source, NegotiatedMedia in) {
        for (Codec target : in.primaryCodecs()) {
            if (target.name().equalsIgnoreCase(source.name()) && target.clockRate() == source.clockRate()) {
                return target;
            }
        }
        return null;
    }

    /** The teacher's classroom slots: mid of each classroom-video/-audio section, by slot. */
    List<String> slotMids(Participant teacher, Purpose purpose) {
        List<String> mids = new ArrayList<>();
        Tracks own = tracks.get(teacher);
        if (own != null) {
            for (Receiving receiving : own.receiving) {
                if (receiving.purpose() == purpose) {
                    mids.add(receiving.media().mid());
                }
            }
        }
        return mids;
    }

    /** Stops the timer; the room is gone. */
    void close() {
        timer.cancel(false);
    }
}
