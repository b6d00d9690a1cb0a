package org.archipelago.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import org.archipelago.server.lesson.LessonError;
import org.archipelago.server.lesson.LessonException;
import org.archipelago.server.lesson.Role;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JoinTokensTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");
    private static final Set<Role> PUBLISHERS = EnumSet.of(Role.TEACHER, Role.CLASSROOM);

    private final JoinTokens tokens = new JoinTokens(SECRET, Clock.fixed(NOW, ZoneOffset.UTC));

    private LessonException refused(String authorization, String room, Set<Role> allowed) {
        return assertThrows(LessonException.class, () -> tokens.check(authorization, room, allowed, Role.OBSERVER));
    }

    @Test
    void withoutASecretNothingIsCheckedAndNothingCanBeSigned() throws LessonException {
        JoinTokens open = new JoinTokens("");
        assertFalse(open.required());
        assertEquals(Role.TEACHER, open.check(null, "math", PUBLISHERS, Role.TEACHER));
        assertThrows(IllegalStateException.class, () -> open.mint("math", Role.TEACHER, Duration.ofHours(1)));
    }

    @Test
    void aMintedTokenGrantsItsRoleInItsRoom() throws LessonException {
        String token = tokens.mint("math", Role.CLASSROOM, Duration.ofHours(1));
        assertTrue(tokens.required());
        assertEquals(Role.CLASSROOM, tokens.check("Bearer " + token, "math", PUBLISHERS, Role.OBSERVER));
        assertEquals(Role.CLASSROOM, tokens.check(token, "math", PUBLISHERS, Role.OBSERVER), "a bare token works too");
    }

    @Test
    void refusalsSayWhy() {
        String classroom = tokens.mint("math", Role.CLASSROOM, Duration.ofHours(1));
        LessonException missing = refused(null, "math", PUBLISHERS);
        assertEquals(LessonError.UNAUTHORIZED, missing.error());
        assertTrue(missing.getMessage().contains("join token is required"));

        LessonException otherRoom = refused("Bearer " + classroom, "music", PUBLISHERS);
        assertEquals(LessonError.FORBIDDEN, otherRoom.error());
        assertTrue(otherRoom.getMessage().contains("for room 'math', not 'music'"));

        LessonException wrongRole = refused("Bearer " + classroom, "math", EnumSet.of(Role.TEACHER));
        assertEquals(LessonError.FORBIDDEN, wrongRole.error());
        assertTrue(wrongRole.getMessage().contains("role 'classroom'"));

        assertEquals(LessonError.UNAUTHORIZED, refused("Bearer not.a.jwt", "math", PUBLISHERS).error());

        String forged = JWT.create().withIssuer(JoinTokens.ISSUER).withClaim("room", "math").withClaim("role", "teacher")
                .withExpiresAt(NOW.plusSeconds(600)).sign(Algorithm.HMAC256("another-secret-another-secret-xx"));
        assertEquals(LessonError.UNAUTHORIZED, refused("Bearer " + forged, "math", PUBLISHERS).error());

        String noExpiry = JWT.create().withIssuer(JoinTokens.ISSUER).withClaim("room", "math").withClaim("role", "teacher")
                .sign(Algorithm.HMAC256(SECRET));
        assertEquals(LessonError.UNAUTHORIZED, refused("Bearer " + noExpiry, "math", PUBLISHERS).error(), "tokens must expire");
    }

    @Test
    void expiredTokensAreRefusedAfterTheLeeway() throws LessonException {
        String token = tokens.mint("math", Role.TEACHER, Duration.ofMinutes(5));
        JoinTokens later = new JoinTokens(SECRET, Clock.fixed(NOW.plusSeconds(5 * 60 + 20), ZoneOffset.UTC));
        assertEquals(Role.TEACHER, later.check(token, "math", PUBLISHERS, Role.OBSERVER), "within 30 s of clock skew");
        JoinTokens muchLater = new JoinTokens(SECRET, Clock.fixed(NOW.plusSeconds(5 * 60 + 31), ZoneOffset.UTC));
        LessonException expired = assertThrows(LessonException.class, () -> muchLater.check(token, "math", PUBLISHERS, Role.OBSERVER));
        assertTrue(expired.getMessage().contains("expired"));
    }
}
