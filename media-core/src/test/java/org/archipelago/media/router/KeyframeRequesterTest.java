package org.archipelago.media.router;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Virtual-clock tests of the throttle. Each table is one source's timeline, rows fed in order:
 * {@code {event, nowMs, requests sent so far}} with events {@code NEED} (request), {@code KEY}
 * (a key frame arrived) and {@code POLL}. Interval 500 ms, 2 retries unless stated.
 */
class KeyframeRequesterTest {
    private static final long NEED = 0;
    private static final long KEY = 1;
    private static final long POLL = 2;

    private static final class CountingSink implements KeyframeRequestSink {
        int requests;

        @Override
        public void requestKeyframe() {
            requests++;
        }
    }

    private static KeyframeRequester requester(CountingSink sink, int maxRetries) {
        return new KeyframeRequester(sink, TimeUnit.MILLISECONDS.toNanos(500), maxRetries);
    }

    private static void assertTimeline(KeyframeRequester requester, CountingSink sink, long[][] rows) {
        for (int i = 0; i < rows.length; i++) {
            long[] row = rows[i];
            long nowNanos = TimeUnit.MILLISECONDS.toNanos(row[1]);
            if (row[0] == NEED) {
                requester.request(nowNanos);
            } else if (row[0] == KEY) {
                requester.onKeyframe(nowNanos);
            } else {
                requester.poll(nowNanos);
            }
            int index = i;
            assertEquals(row[2], sink.requests, () -> "row " + index + " at " + row[1] + " ms: requests sent");
        }
    }

    @Test
    void theFirstNeedIsSentAtOnce() {
        CountingSink sink = new CountingSink();
        assertTimeline(requester(sink, 2), sink, new long[][]{
                {NEED, 1000, 1},
                {KEY, 1040, 1},
                {POLL, 2000, 1},            // met: nothing more to ask
        });
    }

    @Test
    void manyJoinersWithinTheIntervalCauseOneRequest() {
        CountingSink sink = new CountingSink();
        KeyframeRequester requester = requester(sink, 2);
        assertTimeline(requester, sink, new long[][]{
                {NEED, 0, 1},
                {NEED, 10, 1},
                {NEED, 20, 1},
                {POLL, 100, 1},
                {NEED, 499, 1},
                {KEY, 520, 1},              // one key frame serves all of them
                {POLL, 600, 1},
                {POLL, 5000, 1},
        });
        assertEquals(4, requester.needs());
        assertEquals(3, requester.coalesced());
        assertEquals(1, requester.satisfied());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(520), requester.lastResponseNanos());
    }

    @Test
    void aNeedAfterTheKeyframeWithinTheIntervalIsSentWhenTheIntervalEnds() {
        CountingSink sink = new CountingSink();
        assertTimeline(requester(sink, 2), sink, new long[][]{
                {NEED, 0, 1},
                {KEY, 50, 1},
                {NEED, 100, 1},             // a new joiner: the key frame at 50 ms came before it
                {POLL, 499, 1},
                {POLL, 500, 2},             // deferred request goes out
                {KEY, 560, 2},
                {POLL, 1000, 2},
        });
    }

    @Test
    void aNeedAfterTheIntervalIsSentAtOnce() {
        CountingSink sink = new CountingSink();
        assertTimeline(requester(sink, 2), sink, new long[][]{
                {NEED, 0, 1},
                {KEY, 30, 1},
                {NEED, 500, 2},
                {KEY, 530, 2},
                {NEED, 1200, 3},
        });
    }

    @Test
    void unansweredRequestsAreRetriedBoundedThenAbandoned() {
        CountingSink sink = new CountingSink();
        KeyframeRequester requester = requester(sink, 2);
        assertTimeline(requester, sink, new long[][]{
                {NEED, 0, 1},
                {POLL, 499, 1},
                {POLL, 500, 2},             // retry 1
                {POLL, 700, 2},
                {POLL, 1000, 3},            // retry 2
                {POLL, 1500, 3},            // gives up
                {POLL, 5000, 3},
                {NEED, 6000, 4},            // a new need starts a new budget
                {POLL, 6500, 5},
        });
        assertEquals(3, requester.retriesSent());
        assertEquals(1, requester.gaveUp());
        assertTrue(requester.isPending());
    }

    @Test
    void aDeferredNeedGetsItsOwnRequestAndRetryBudget() {
        // Still one request per interval at most, however many needs arrive.
        CountingSink sink = new CountingSink();
        KeyframeRequester requester = requester(sink, 1);
        assertTimeline(requester, sink, new long[][]{
                {NEED, 0, 1},
                {NEED, 200, 1},             // deferred
                {POLL, 500, 2},             // the deferred need: a fresh request with a fresh budget
                {POLL, 1000, 3},            // retry 1
                {POLL, 1500, 3},            // gives up
        });
        assertFalse(requester.isPending());
    }

    @Test
    void noRetriesWhenTheBoundIsZero() {
        CountingSink sink = new CountingSink();
        KeyframeRequester requester = requester(sink, 0);
        assertTimeline(requester, sink, new long[][]{
                {NEED, 0, 1},
                {POLL, 500, 1},
                {POLL, 1000, 1},
        });
        assertFalse(requester.isPending());
    }

    @Test
    void cancelForgetsTheOutstandingNeed() {
        CountingSink sink = new CountingSink();
        KeyframeRequester requester = requester(sink, 5);
        requester.request(0);
        requester.request(100);
        requester.cancel();
        requester.poll(TimeUnit.SECONDS.toNanos(3));
        assertEquals(1, sink.requests);
        assertFalse(requester.isPending());
    }

    @Test
    void defaultsAreHalfASecondAndFiveRetries() {
        CountingSink sink = new CountingSink();
        KeyframeRequester requester = new KeyframeRequester(sink);
        requester.request(0);
        for (long ms = 0; ms <= 10_000; ms += 10) {
            requester.poll(TimeUnit.MILLISECONDS.toNanos(ms));
        }
        assertEquals(1 + 5, sink.requests);
        assertEquals(1, requester.gaveUp());
    }

    @Test
    void configurationMistakesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new KeyframeRequester(null));
        assertThrows(IllegalArgumentException.class, () -> new KeyframeRequester(new CountingSink(), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new KeyframeRequester(new CountingSink(), 1, -1));
    }
}
