package vote.ostracon

import java.io.File

/** The fixtures written by `cargo run --example fixtures` (see scripts/test-kotlin). */
object Fixtures {
    val dir: File = File(System.getProperty("ostracon.fixtures") ?: error("ostracon.fixtures not set"))
    val out: File = File(System.getProperty("ostracon.out") ?: error("ostracon.out not set")).also { it.mkdirs() }

    fun text(name: String): String = File(dir, name).readText()
    fun bytes(name: String): ByteArray = File(dir, name).readBytes()

    val electionJson: String get() = text("election.json")
    val demoPlaintext: String get() = text("demo-plaintext.json")

    /** `voter.txt`: id, seed (hex), public key (hex). */
    val voter: Triple<String, ByteArray, String> get() {
        val (id, seed, public) = text("voter.txt").trim().split(" ")
        return Triple(id, seed.hexToBytes(), public)
    }
}

fun ByteArray.toHex(): String = joinToString("") { "%02x".format(it) }

fun String.hexToBytes(): ByteArray =
    ByteArray(length / 2) { i -> substring(2 * i, 2 * i + 2).toInt(16).toByte() }

/** A JSON string literal (for the few values the tests write by hand). */
fun String.jsonQuoted(): String = "\"" + replace("\\", "\\\\").replace("\"", "\\\"") + "\""
