package vote.ostracon

import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * The shared test vectors (`vectors/ballots.json`) through the Kotlin binding: ballot
 * validation with tracking codes, and challenge openings. The binding has no proof,
 * point or record-verification API; those vectors are checked by the Rust tests.
 */
class VectorsTest {
    private val dir = File(System.getProperty("ostracon.vectors") ?: error("ostracon.vectors not set"))

    @Suppress("UNCHECKED_CAST")
    private fun cases(doc: Map<String, Any?>, type: String): List<Pair<Map<String, Any?>, Map<String, Any?>>> =
        (doc["testGroups"] as List<Map<String, Any?>>)
            .filter { it["type"] == type }
            .flatMap { g -> (g["tests"] as List<Map<String, Any?>>).map { g to it } }

    private fun load(name: String): Map<String, Any?> {
        @Suppress("UNCHECKED_CAST")
        val doc = Json.parse(File(dir, name).readText()) as Map<String, Any?>
        assertEquals("ostracon-vectors/v1", doc["schema"])
        return doc
    }

    /** The core's stable code of a binding error (every variant carries one). */
    private fun codeOf(e: OstraconException): String =
        e.javaClass.getMethod("getCode").invoke(e) as String

    private fun expectError(test: Map<String, Any?>, block: () -> Unit) {
        try {
            block()
        } catch (e: OstraconException) {
            assertEquals(test["error"], codeOf(e), "tcId ${test["tcId"]}: ${test["comment"]}")
            return
        }
        fail("tcId ${test["tcId"]} (${test["comment"]}): expected ${test["error"]}, got success")
    }

    @Test
    fun `ballot validation and tracking codes`() {
        val list = cases(load("ballots.json"), "BallotValidation")
        assertTrue(list.isNotEmpty())
        for ((group, test) in list) {
            Election.fromJson(group["election"] as String).use { election ->
                val bytes = (test["ballot"] as String).hexToBytes()
                if (test["result"] == "valid") {
                    val check = election.validateBallot(bytes)
                    assertEquals(test["trackingCode"], check.trackingCodeHex)
                    assertEquals(test["trackingCodeHuman"], check.trackingCode)
                    assertEquals(test["ballotId"], check.ballotId)
                } else {
                    expectError(test) { election.validateBallot(bytes) }
                }
            }
        }
    }

    @Test
    fun `challenge openings`() {
        val list = cases(load("ballots.json"), "ChallengeOpening")
        assertTrue(list.isNotEmpty())
        for ((group, test) in list) {
            Election.fromJson(group["election"] as String).use { election ->
                val bytes = (test["ballot"] as String).hexToBytes()
                val opening = test["opening"] as String
                if (test["result"] == "valid") {
                    val check = election.verifyOpening(bytes, opening)
                    assertEquals(test["trackingCode"], check.trackingCodeHex)
                    @Suppress("UNCHECKED_CAST")
                    val expected = (test["plaintext"] as Map<String, List<Long>>)
                        .mapValues { (_, v) -> v.map { it.toULong() } }
                    assertEquals(expected, check.choices)
                } else {
                    expectError(test) { election.verifyOpening(bytes, opening) }
                }
            }
        }
    }
}

/** A small JSON reader for the vector files (objects, arrays, strings, integers, literals). */
object Json {
    fun parse(text: String): Any? {
        val p = Parser(text)
        val v = p.value()
        p.skipSpace()
        require(p.at == text.length) { "trailing characters at ${p.at}" }
        return v
    }

    private class Parser(val s: String) {
        var at = 0

        fun skipSpace() {
            while (at < s.length && s[at].isWhitespace()) at++
        }

        fun value(): Any? {
            skipSpace()
            return when (val c = s[at]) {
                '{' -> obj()
                '[' -> arr()
                '"' -> str()
                't' -> literal("true", true)
                'f' -> literal("false", false)
                'n' -> literal("null", null)
                else -> if (c == '-' || c.isDigit()) num() else error("unexpected '$c' at $at")
            }
        }

        private fun literal(word: String, v: Any?): Any? {
            require(s.startsWith(word, at)) { "bad literal at $at" }
            at += word.length
            return v
        }

        private fun num(): Long {
            val start = at
            if (s[at] == '-') at++
            while (at < s.length && s[at].isDigit()) at++
            require(at == s.length || s[at] !in ".eE") { "only integers are expected, at $start" }
            return s.substring(start, at).toLong()
        }

        private fun str(): String {
            at++ // opening quote
            val out = StringBuilder()
            while (true) {
                val c = s[at++]
                when (c) {
                    '"' -> return out.toString()
                    '\\' -> {
                        when (val e = s[at++]) {
                            '"', '\\', '/' -> out.append(e)
                            'b' -> out.append('\b')
                            'f' -> out.append('\u000c')
                            'n' -> out.append('\n')
                            'r' -> out.append('\r')
                            't' -> out.append('\t')
                            'u' -> {
                                out.append(s.substring(at, at + 4).toInt(16).toChar())
                                at += 4
                            }
                            else -> error("bad escape '\\$e' at $at")
                        }
                    }
                    else -> out.append(c)
                }
            }
        }

        private fun arr(): List<Any?> {
            at++
            val out = mutableListOf<Any?>()
            skipSpace()
            if (s[at] == ']') { at++; return out }
            while (true) {
                out.add(value())
                skipSpace()
                when (s[at++]) {
                    ',' -> continue
                    ']' -> return out
                    else -> error("expected ',' or ']' at ${at - 1}")
                }
            }
        }

        private fun obj(): Map<String, Any?> {
            at++
            val out = linkedMapOf<String, Any?>()
            skipSpace()
            if (s[at] == '}') { at++; return out }
            while (true) {
                skipSpace()
                val k = str()
                skipSpace()
                require(s[at++] == ':') { "expected ':' at ${at - 1}" }
                out[k] = value()
                skipSpace()
                when (s[at++]) {
                    ',' -> continue
                    '}' -> return out
                    else -> error("expected ',' or '}' at ${at - 1}")
                }
            }
        }
    }
}
