package org.archipelago.media.router;

import java.util.Arrays;

/**
 * One inbound track of a room as the router sees it: a stream of RTP packets that downstreams can
 * be fed from, and the way to ask its publisher for a key frame. Where the packets come from — a
 * local publisher's peer, a relay link from another server, a recording replayed — is the
 * caller's business: the router only needs {@link Router#onRtp} and a {@link KeyframeRequestSink}.
 *
 * <p>Created by {@link Router#addSource}; owned by the router's event loop like everything in it.
 */
public final class Source {
    private static final int PAYLOAD_TYPES = 128;
    static final Downstream[] NO_DOWNSTREAMS = new Downstream[0];

    private final String id;
    private final SourceLayer layer;
    final KeyframeRequester keyframeRequester;
    private final KeyframeDetector[] detectors = new KeyframeDetector[PAYLOAD_TYPES];

    /** Downstreams fed by this source or waiting to switch to it; replaced, never mutated (copy on write). */
    Downstream[] downstreams = NO_DOWNSTREAMS;
    /** Downstreams whose pending source is this one. */
    int waitingDownstreams;
    boolean removed;
    boolean started;
    long ssrc;

    long packets;
    long invalidPackets;
    long keyframes;
    long restarts;
    long malformedRedPackets;

    Source(String id, SourceLayer layer, KeyframeDetector detector, KeyframeRequester keyframeRequester) {
        this.id = id;
        this.layer = layer;
        this.keyframeRequester = keyframeRequester;
        Arrays.fill(detectors, detector);
    }

    /** Uses {@code detector} for packets of {@code payloadType} (a source may carry several codecs). */
    public void keyframeDetector(int payloadType, KeyframeDetector detector) {
        if (payloadType < 0 || payloadType >= PAYLOAD_TYPES || detector == null) {
            throw new IllegalArgumentException("payload type must be in [0, 127] with a detector: " + payloadType);
        }
        detectors[payloadType] = detector;
    }

    KeyframeDetector detector(int payloadType) {
        return detectors[payloadType & 0x7F];
    }

    public String id() {
        return id;
    }

    /** Where this source sits among its publisher's layers; a track without simulcast is {@link SourceLayer#LOW}. */
    public SourceLayer layer() {
        return layer;
    }

    /** The throttle of this source's key frame requests, for its counters. */
    public KeyframeRequester keyframeRequester() {
        return keyframeRequester;
    }

    /** Valid RTP packets received. */
    public long packets() {
        return packets;
    }

    /** Packets dropped because the view was not a valid RTP packet. */
    public long invalidPackets() {
        return invalidPackets;
    }

    /** Key frames seen (only counted while someone waits for one). */
    public long keyframes() {
        return keyframes;
    }

    /** SSRC changes seen: the publisher restarted the stream behind this source. */
    public long restarts() {
        return restarts;
    }

    /**
     * RED packets (RFC 2198) whose headers did not parse (or named RED as their primary), counted
     * once per packet when a subscriber needed the primary block; they were not sent to it.
     */
    public long malformedRedPackets() {
        return malformedRedPackets;
    }

    public boolean isRemoved() {
        return removed;
    }

    @Override
    public String toString() {
        return "Source[" + id + "]";
    }
}
