package org.archipelago.server.lesson;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.archipelago.media.peer.MediaEngine;
import org.archipelago.media.peer.PeerConnection;
import org.archipelago.media.router.Downstream;
import org.archipelago.media.router.KeyframeDetector;
import org.archipelago.media.router.Router;
import org.archipelago.media.router.Source;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.Codec;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.sdp.NegotiatedMedia;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Who receives whom in a lesson, carried out by the room's {@link Router}.
 *
 * <p>Each participant's m-sections become router sources (what it sends us) and downstreams (what
 * we send it, on the SSRCs of our answer). The lesson's routing: classrooms and observers receive
 * the teacher's audio and camera; the teacher receives a classroom. A subscriber is fed only once
 * it is connected, so the key frame the router asks for on its behalf reaches it.
 *
 * <p>Owned by the room's event loop, like the router.
 */
final class LessonForwarding {
    private static final long POLL_MILLIS = 100;

    private final Router router;
    private final ScheduledFuture<?> timer;
    private final Map<Participant, Tracks> tracks = new IdentityHashMap<>();

    /** One participant's tracks: sources by the m-section they arrive on, downstreams by the m-section they leave on. */
    private static final class Tracks {
        final Map<NegotiatedMedia, PublishedTrack> sources = new LinkedHashMap<>();
        final Map<NegotiatedMedia, Downstream> downstreams = new LinkedHashMap<>();
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

    LessonForwarding(EventLoop loop) {
        this.router = new Router(MediaEngine.heapAllocator(), PeerConnection.RTP_TAILROOM);
        // The router's key frame retries run on its own clock: poll it from the room's loop.
        this.timer = loop.scheduleAtFixedRate(() -> router.poll(System.nanoTime()), POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    Router router() {
        return router;
    }

    void added(Participant participant) {
        PeerConnection peer = participant.peer();
        Tracks own = new Tracks();
        for (NegotiatedMedia media : peer.answer().negotiatedMedia()) {
            if (media.direction().receives()) {
                PublishedTrack track = new PublishedTrack(media);
                track.source = router.addSource(peer.id() + "/" + media.mid(), detectorFor(media), () -> {
                    if (track.ssrc >= 0) {
                        peer.requestKeyframe(track.ssrc);
                    }
                });
                for (Codec codec : media.primaryCodecs()) {
                    if (codec.name().equalsIgnoreCase("VP8")) {
                        track.source.keyframeDetector(codec.payloadType(), KeyframeDetector.VP8);
                    }
                }
                own.sources.put(media, track);
            }
            if (media.direction().sends() && media.sendStream() != null && !media.primaryCodecs().isEmpty()) {
                int clockRate = media.primaryCodecs().get(0).clockRate();
                own.downstreams.put(media, router.addDownstream(peer.id() + "/" + media.mid(),
                        media.sendStream().ssrc(), clockRate, peer::sendRtp));
            }
        }
        tracks.put(participant, own);
    }

    private static KeyframeDetector detectorFor(NegotiatedMedia media) {
        // Audio: every packet decodes. Video codecs other than VP8 are not parsed yet: the router
        // forwards them without waiting and keeps asking for a key frame (see KeyframeDetector).
        return media.kind() == MediaKind.AUDIO ? KeyframeDetector.AUDIO : KeyframeDetector.UNDETECTED;
    }

    void connected(Participant participant) {
        Tracks own = tracks.get(participant);
        if (own != null) {
            own.connected = true;
            refreshSubscriptions();
        }
    }

    void removed(Participant participant) {
        Tracks own = tracks.remove(participant);
        if (own == null) {
            return;
        }
        for (PublishedTrack track : own.sources.values()) {
            router.removeSource(track.source);
        }
        for (Downstream downstream : own.downstreams.values()) {
            router.removeDownstream(downstream);
        }
        refreshSubscriptions();
    }

    void onRtp(Participant participant, NegotiatedMedia media, RtpPacket packet, boolean retransmission, long nowNanos) {
        if (retransmission) {
            // RTX is answered and repaired per leg (retransmission work); it is not forwarded as is.
            return;
        }
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
        for (Map.Entry<NegotiatedMedia, Downstream> entry : own.downstreams.entrySet()) {
            if (entry.getKey().sendStream().ssrc() == mediaSsrc) {
                router.onKeyframeRequest(entry.getValue(), nowNanos);
            }
        }
    }

    /**
     * Applies the lesson's routing: every connected subscriber's first audio and first video
     * downstream is fed by its publisher's track of that kind, or by nothing.
     */
    private void refreshSubscriptions() {
        long now = System.nanoTime();
        Participant teacher = null;
        Participant firstClassroomPublisher = null;
        for (Participant participant : tracks.keySet()) {
            if (participant.role() == Role.TEACHER) {
                teacher = participant;
            } else if (participant.role() == Role.CLASSROOM && firstClassroomPublisher == null
                    && !tracks.get(participant).sources.isEmpty()) {
                firstClassroomPublisher = participant;
            }
        }
        for (Map.Entry<Participant, Tracks> entry : tracks.entrySet()) {
            Participant subscriber = entry.getKey();
            Tracks own = entry.getValue();
            if (!own.connected) {
                continue;
            }
            Participant publisher = subscriber.role() == Role.TEACHER ? firstClassroomPublisher : teacher;
            for (MediaKind kind : List.of(MediaKind.AUDIO, MediaKind.VIDEO)) {
                Downstream downstream = first(own.downstreams, kind);
                if (downstream == null) {
                    continue;
                }
                PublishedTrack track = publisher == null || publisher == subscriber ? null : firstTrack(tracks.get(publisher), kind);
                if (track == null) {
                    if (downstream.source() != null || downstream.pendingSource() != null) {
                        router.unsubscribe(downstream);
                    }
                } else if (downstream.source() != track.source && downstream.pendingSource() != track.source) {
                    mapPayloadTypes(track.media, downstreamMedia(own, downstream), downstream);
                    router.subscribe(downstream, track.source, now);
                }
            }
        }
    }

    /** Publisher and subscriber may number the same codec differently: map by codec name. */
    private static void mapPayloadTypes(NegotiatedMedia from, NegotiatedMedia to, Downstream downstream) {
        downstream.rewriter().clearPayloadTypeMap();
        for (Codec source : from.primaryCodecs()) {
            for (Codec target : to.primaryCodecs()) {
                if (target.name().equalsIgnoreCase(source.name()) && target.clockRate() == source.clockRate()) {
                    downstream.rewriter().mapPayloadType(source.payloadType(), target.payloadType());
                    break;
                }
            }
        }
    }

    private static NegotiatedMedia downstreamMedia(Tracks own, Downstream downstream) {
        for (Map.Entry<NegotiatedMedia, Downstream> entry : own.downstreams.entrySet()) {
            if (entry.getValue() == downstream) {
                return entry.getKey();
            }
        }
        throw new IllegalStateException("downstream " + downstream + " is not among its owner's");
    }

    private static Downstream first(Map<NegotiatedMedia, Downstream> downstreams, MediaKind kind) {
        for (Map.Entry<NegotiatedMedia, Downstream> entry : downstreams.entrySet()) {
            if (entry.getKey().kind() == kind) {
                return entry.getValue();
            }
        }
        return null;
    }

    private static PublishedTrack firstTrack(Tracks publisher, MediaKind kind) {
        if (publisher == null) {
            return null;
        }
        for (PublishedTrack track : publisher.sources.values()) {
            if (track.media.kind() == kind) {
                return track;
            }
        }
        return null;
    }

    /** Stops the timer; the room is gone. */
    void close() {
        timer.cancel(false);
    }
}
