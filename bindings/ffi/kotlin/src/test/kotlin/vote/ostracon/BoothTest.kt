package vote.ostracon

import java.io.File
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * The booth flow through the generated Kotlin binding, on the JVM with JNA (as Android
 * loads the library). What the flow produces is written to `kotlin-out.json`, which a
 * separate Rust process (`examples/check_kotlin_ballots.rs`, core only) then checks.
 */
class BoothTest {
    private val board = listOf(1uL, 0uL, 0uL, 1uL, 0uL, 0uL, 0uL, 1uL, 0uL, 0uL)

    @Test
    fun `booth flow - encrypt, challenge and verify, then cast signed`() {
        val (voterId, seed, publicKey) = Fixtures.voter
        Election.fromJson(Fixtures.electionJson).use { election ->
            // 1. The voter's first ballot: challenged (audited).
            val challenged = election.encryptBallot("kotlin-1", Fixtures.demoPlaintext, null)
            assertEquals(BallotState.PENDING, challenged.state())
            val code = challenged.trackingCode()
            assertTrue(Regex("[0-9A-Z]{4}(-[0-9A-Z]{4}){3}").matches(code), code)
            val opening = challenged.challenge()
            assertEquals(BallotState.CHALLENGED, challenged.state())
            assertEquals(opening, challenged.challenge(), "challenge() is repeatable")
            // Any device re-encrypts the opening and sees the choices.
            val check = election.verifyOpening(challenged.toBytes(), opening)
            assertEquals(code, check.trackingCode)
            assertEquals(board, check.choices["board"])
            assertEquals(listOf(7uL, 10uL), check.choices["projects"])
            // A challenged ballot can never be cast.
            val used = assertFailsWith<OstraconException.InvalidBallot> { challenged.cast(null, null) }
            assertEquals("ballot.already_used", used.code)
            assertEquals("kotlin-1", used.ballot)

            // 2. The voter encrypts again and casts, signing as a registered voter.
            val ballot = election.encryptBallot("kotlin-2", Fixtures.demoPlaintext, null)
            assertNotEquals(code, ballot.trackingCode())
            val key = VoterKey.fromSeed(seed)
            assertEquals(publicKey, key.publicKey())
            val cast = ballot.cast(voterId, key)
            key.close()
            assertEquals(BallotState.CAST, ballot.state())
            assertContentEquals(ballot.toBytes(), cast.ballot)
            assertEquals(ballot.trackingCodeHex(), cast.trackingCodeHex)
            assertEquals(voterId, cast.voter)
            assertEquals(128, assertNotNull(cast.signature).length)
            assertEquals("ballot.already_used", assertFailsWith<OstraconException> { ballot.challenge() }.let {
                (it as OstraconException.InvalidBallot).code
            })

            // 3. The ballot box (here: the binding) validates the cast ballot.
            val valid = election.validateBallot(cast.ballot)
            assertEquals("kotlin-2", valid.ballotId)
            assertEquals(cast.trackingCode, valid.trackingCode)

            // For the Rust process: both ballots, the opening and the signature.
            File(Fixtures.out, "kotlin-out.json").writeText(
                """
                {
                  "voter": ${voterId.jsonQuoted()},
                  "challenged": {
                    "ballot": "${challenged.toBytes().toHex()}",
                    "tracking_code": "${challenged.trackingCode()}",
                    "tracking_code_hex": "${challenged.trackingCodeHex()}",
                    "opening": $opening
                  },
                  "cast": {
                    "ballot": "${cast.ballot.toHex()}",
                    "tracking_code": "${cast.trackingCode}",
                    "tracking_code_hex": "${cast.trackingCodeHex}",
                    "signature": "${cast.signature}"
                  }
                }
                """.trimIndent()
            )
            challenged.close()
            ballot.close()
        }
    }

    @Test
    fun `precompute when the ballot is shown, encrypt once chosen, once only`() {
        Election.fromJson(Fixtures.electionJson).use { election ->
            val pre = election.precomputeBallot("kotlin-pre-1")
            assertEquals("kotlin-pre-1", pre.ballotId())
            assertEquals(false, pre.isUsed())
            val ballot = election.encryptPrecomputed(pre, Fixtures.demoPlaintext, null)
            assertTrue(pre.isUsed())
            assertEquals("kotlin-pre-1", ballot.ballotId())
            assertEquals(ballot.trackingCodeHex(), election.validateBallot(ballot.toBytes()).trackingCodeHex)
            val check = election.verifyOpening(ballot.toBytes(), ballot.challenge())
            assertEquals(board, check.choices["board"])
            val again = assertFailsWith<OstraconException.InvalidInput> {
                election.encryptPrecomputed(pre, Fixtures.demoPlaintext, null)
            }
            assertEquals("input.invalid", again.code)
            assertTrue(again.detail.contains("already used"), again.detail)
            ballot.close()
            pre.close()
        }
    }

    @Test
    fun `a ballot encrypted in Rust validates in Kotlin`() {
        val (hex, human) = Fixtures.text("rust-ballot.code.txt").trim().split(" ")
        val bytes = Fixtures.bytes("rust-ballot.bin")
        Election.fromJson(Fixtures.electionJson).use { election ->
            val check = election.validateBallot(bytes)
            assertEquals("rust-1", check.ballotId)
            assertEquals(hex, check.trackingCodeHex)
            assertEquals(human, check.trackingCode)
            val opened = election.verifyOpening(bytes, Fixtures.text("rust-ballot.opening.json"))
            assertEquals(board, opened.choices["board"])
            assertEquals(listOf(3uL, 1uL, 2uL), opened.choices["budget"])
        }
    }

    @Test
    fun `errors carry the variant, the core's code and where`() {
        Election.fromJson(Fixtures.electionJson).use { election ->
            val sel = assertFailsWith<OstraconException.InvalidSelection> {
                election.checkSelection("""{"chair":[1,0,0,0],"board":[1,1,1,1,0,0,0,0,0,0]}""")
            }
            assertEquals("selection.invalid", sel.code)
            assertEquals("board", sel.contest)
            assertTrue(sel.detail.contains("selections must total between 0 and 3"), sel.detail)
            assertTrue(sel.message!!.contains("selection.invalid"))

            val json = assertFailsWith<OstraconException.InvalidInput> { election.encryptBallot("b", "{", null) }
            assertEquals("input.invalid", json.code)
            assertTrue(json.detail.startsWith("invalid input: plaintext ballot JSON"), json.detail)

            val ballot = election.encryptBallot("b", Fixtures.demoPlaintext, null)
            val bytes = ballot.toBytes()
            val truncated = assertFailsWith<OstraconException.Decode> {
                election.validateBallot(bytes.copyOf(bytes.size - 1))
            }
            assertEquals("decode.truncated", truncated.code)

            val other = election.encryptBallot("c", Fixtures.demoPlaintext, null)
            val bad = assertFailsWith<OstraconException.InvalidBallot> {
                election.verifyOpening(bytes, other.challenge())
            }
            assertEquals("ballot.bad_opening", bad.code)
            assertEquals("b", bad.ballot)
            assertNotNull(bad.contest)

            VoterKey.generate().use { key ->
                val noVoter = assertFailsWith<OstraconException.InvalidInput> { ballot.cast(null, key) }
                assertEquals("input.invalid", noVoter.code)
            }
            assertEquals(BallotState.PENDING, ballot.state())
            assertEquals("input.invalid", assertFailsWith<OstraconException> { VoterKey.fromSeed(ByteArray(31)) }.let {
                (it as OstraconException.InvalidInput).code
            })
            assertFailsWith<OstraconException.InvalidInput> { Election.fromJson("{}") }
            ballot.close()
            other.close()
        }
    }

    @Test
    fun `untrusted bytes give errors, never a crash`() {
        Election.fromJson(Fixtures.electionJson).use { election ->
            val bytes = Fixtures.bytes("rust-ballot.bin")
            for (n in bytes.indices step 3) {
                assertFailsWith<OstraconException.Decode> { election.validateBallot(bytes.copyOf(n)) }
            }
            for (i in bytes.indices step 11) {
                val flipped = bytes.copyOf().also { it[i] = (it[i].toInt() xor 0x04).toByte() }
                assertFailsWith<OstraconException> { election.validateBallot(flipped) }
            }
            for (junk in listOf("", "null", "[]", """{"master_nonce":"00"}""")) {
                assertFailsWith<OstraconException> { election.verifyOpening(bytes, junk) }
            }
        }
    }

    @Test
    fun `released objects cannot be used, and the secret goes with them`() {
        val election = Election.fromJson(Fixtures.electionJson)
        val ballot = election.encryptBallot("b", Fixtures.demoPlaintext, null)
        ballot.close() // frees the Rust object: its opening is zeroized
        assertFailsWith<IllegalStateException> { ballot.challenge() }
        val key = VoterKey.generate()
        key.close()
        assertFailsWith<IllegalStateException> { key.publicKey() }
        election.close()
    }

    @Test
    fun `round trips and version`() {
        Election.fromJson(Fixtures.electionJson).use { election ->
            Election.fromJson(election.toJson()).use { again -> assertEquals(election.baseHash(), again.baseHash()) }
            assertEquals(64, election.baseHash().length)
            assertTrue(election.manifestJson().contains("\"board\""))
            assertEquals(board, election.checkSelection(Fixtures.demoPlaintext)[1])
            election.encryptBallot("j", Fixtures.demoPlaintext, null).use { b ->
                assertEquals("\"" + b.toBytes().toHex() + "\"", b.toJson())
                // A polling-place device chains each ballot to the previous code.
                election.encryptBallot("k", Fixtures.demoPlaintext, b.trackingCodeHex()).use { chained ->
                    assertEquals("k", election.validateBallot(chained.toBytes()).ballotId)
                }
            }
        }
        assertTrue(Regex("""\d+\.\d+\.\d+.*""").matches(version()))
    }
}
