package org.archipelago.media.router;

import java.util.concurrent.TimeUnit;

/**
 * Throttles the key frame requests sent to one source's publisher. Many subscribers joining at
 * once, switching to the source, or sending their own PLIs must cost the publisher one request,
 * not many: each new key frame costs it a burst of bits and its other receivers a quality dip.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>{@link #request} records a need. If no request went out in the last {@code interval}, one
 *       goes out now; otherwise the need is deferred and goes out when the interval ends — unless a
 *       key frame arrives first ({@link #onKeyframe}), which satisfies every need recorded before
 *       it.</li>
 *   <li>So at most one request per interval, and any number of needs within an interval coalesce
 *       into one request.</li>
 *   <li>If no key frame has arrived an interval after a request, {@link #poll} asks again, at most
 *       {@code maxRetries} times per need; then it gives up (the publisher ignores us or its
 *       answer keeps getting lost) until the next need. A waiting downstream still starts at the
 *       next key frame the publisher sends of its own accord.</li>
 * </ul>
 * Time is passed in ({@code nowNanos}, monotonic), so tests drive it with a virtual clock. The
 * router calls {@link #poll} for each packet of the source and from its periodic
 * {@link Router#poll}. Not thread-safe: owned by the router's event loop.
 */
public final class KeyframeRequester {
    /** Default interval, that of a low layer ({@link KeyframeThrottle} sets one per {@link SourceLayer}). */
    public static final long DEFAULT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    public static final int DEFAULT_MAX_RETRIES = 5;

    private final KeyframeRequestSink sink;
    private final long intervalNanos;
    private final int maxRetries;

    /** A need has not been met by a key frame yet. */
    private boolean pending;
    /** A need arrived that no request sent so far covers. */
    private boolean deferred;
    private boolean sentAny;
    private long lastSentNanos;
    private int retries;

    private long needs;
    private long sent;
    private long coalesced;
    private long retriesSent;
    private long gaveUp;
    private long satisfied;
    private long lastResponseNanos = -1;

    public KeyframeRequester(KeyframeRequestSink sink) {
        this(sink, DEFAULT_INTERVAL_NANOS, DEFAULT_MAX_RETRIES);
    }

    /**
     * @param intervalNanos the throttling window: at most one request per window
     * @param maxRetries    how many times one need is asked again when no key frame came
     */
    public KeyframeRequester(KeyframeRequestSink sink, long intervalNanos, int maxRetries) {
        if (sink == null) {
            throw new IllegalArgumentException("sink must not be null");
        }
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("intervalNanos must be positive: " + intervalNanos);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative: " + maxRetries);
        }
        this.sink = sink;
        this.intervalNanos = intervalNanos;
        this.maxRetries = maxRetries;
    }

    /** Someone needs a key frame (a join, a switch, a subscriber's PLI, a stream restart). */
    public void request(long nowNanos) {
        needs++;
        pending = true;
        if (!sentAny || nowNanos - lastSentNanos >= intervalNanos) {
            retries = 0;
            deferred = false;
            send(nowNanos);
        } else {
            deferred = true;
            coalesced++;
        }
    }

    /** A key frame arrived from the source: every need recorded so far is met. */
    public void onKeyframe(long nowNanos) {
        if (pending) {
            satisfied++;
            lastResponseNanos = nowNanos - lastSentNanos;
        }
        pending = false;
        deferred = false;
        retries = 0;
    }

    /** Sends a deferred request or a retry when the interval since the last request has passed. */
    public void poll(long nowNanos) {
        if (!pending || nowNanos - lastSentNanos < intervalNanos) {
            return;
        }
        if (deferred) {
            deferred = false;
            retries = 0;
            send(nowNanos);
        } else if (retries < maxRetries) {
            retries++;
            retriesSent++;
            send(nowNanos);
        } else {
            pending = false;
            gaveUp++;
        }
    }

    /** Forgets the outstanding need, e.g. when the source is removed. */
    public void cancel() {
        pending = false;
        deferred = false;
        retries = 0;
    }

    private void send(long nowNanos) {
        sentAny = true;
        lastSentNanos = nowNanos;
        sent++;
        sink.requestKeyframe();
    }

    /** True while a need waits for a key frame. */
    public boolean isPending() {
        return pending;
    }

    /** Needs recorded by {@link #request}. */
    public long needs() {
        return needs;
    }

    /** Requests handed to the sink, retries included. */
    public long sent() {
        return sent;
    }

    /** Needs that arrived within an interval and were folded into another request. */
    public long coalesced() {
        return coalesced;
    }

    /** Requests repeated because no key frame followed. */
    public long retriesSent() {
        return retriesSent;
    }

    /** Needs abandoned after {@code maxRetries} unanswered repeats. */
    public long gaveUp() {
        return gaveUp;
    }

    /** Outstanding needs met by a key frame. */
    public long satisfied() {
        return satisfied;
    }

    /**
     * Time from the last request to the key frame that met it, for the last met need; -1 before
     * one. How fast the publisher answers, seen from here.
     */
    public long lastResponseNanos() {
        return lastResponseNanos;
    }
}
