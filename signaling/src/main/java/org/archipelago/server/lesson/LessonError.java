package org.archipelago.server.lesson;

/**
 * The stable error codes a client sees, over WHIP/WHEP (with the HTTP status) and later over the
 * WebSocket. Codes never change meaning; new ones are added at the end.
 */
public enum LessonError {
    /** The SDP does not parse; the message names the line. */
    BAD_SDP("bad-sdp", 400),
    /** The SDP parses but cannot be answered (no ICE credentials, no fingerprint, nothing acceptable). */
    OFFER_REJECTED("offer-rejected", 400),
    /** A room name that is not 1..64 of [A-Za-z0-9_-]. */
    BAD_ROOM_NAME("bad-room-name", 400),
    /** The room already has a teacher. */
    TEACHER_PRESENT("teacher-present", 409),
    /** No such session (already ended, or never existed). */
    NO_SUCH_SESSION("no-such-session", 404),
    /** Too many peers or rooms: try later or elsewhere. */
    SERVER_FULL("server-full", 503),
    /** A join token is needed (the server is reachable beyond loopback) and none valid was given. */
    UNAUTHORIZED("unauthorized", 401),
    /** The token is valid but not for this room or this role. */
    FORBIDDEN("forbidden", 403),
    /** Stage, floor or screen from someone who is not the room's teacher. */
    NOT_TEACHER("not-teacher", 403),
    /** A control naming a participant who is not a classroom of the room. */
    NO_SUCH_PARTICIPANT("no-such-participant", 404),
    /** A signaling message that is not JSON, has an unknown type, or a missing or malformed field. */
    BAD_MESSAGE("bad-message", 400),
    /** A signaling request before join (or a second join). */
    NOT_JOINED("not-joined", 400);

    private final String code;
    private final int httpStatus;

    LessonError(String code, int httpStatus) {
        this.code = code;
        this.httpStatus = httpStatus;
    }

    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
