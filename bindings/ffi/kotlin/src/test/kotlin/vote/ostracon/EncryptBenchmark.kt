package vote.ostracon

import java.io.File
import java.lang.management.ManagementFactory
import org.junit.jupiter.api.Assumptions.assumeTrue
import kotlin.test.Test

/**
 * Encrypting a ballot of one approval contest, 10 options, choose up to 3, through the
 * Kotlin binding (JNA), as a booth does it (encrypt, read the tracking code, release
 * the ballot object): median of 200 after 1000 warm-up runs (HotSpot needs about that
 * many to compile the JNA marshalling; with 50 the figure is 20-60% higher on a 2-core
 * machine), timed by the wall clock and by the calling thread's
 * CPU time (ThreadMXBean). Runs only when `ostracon.bench.out` names a file
 * (bindings/ffi/scripts/bench-kotlin), which receives both medians in microseconds.
 */
class EncryptBenchmark {
    @Test
    fun `encrypt 10-option approval ballot`() {
        val out = System.getProperty("ostracon.bench.out").orEmpty()
        assumeTrue(out.isNotBlank(), "benchmark not requested")
        val n = (System.getProperty("ostracon.bench.n") ?: "200").toInt()
        val warmup = (System.getProperty("ostracon.bench.warmup") ?: "1000").toInt()
        val plaintext = Fixtures.text("bench-plaintext.json")
        Election.fromJson(Fixtures.text("bench-election.json")).use { election ->
            var sink = 0
            fun once(i: Int) {
                election.encryptBallot("bench-$i", plaintext, null).use { sink += it.trackingCodeHex().length }
            }
            val threads = ManagementFactory.getThreadMXBean()
            repeat(warmup) { once(it) }
            val wall = DoubleArray(n)
            val cpu = DoubleArray(n)
            for (i in 0 until n) {
                val c = threads.currentThreadCpuTime
                val t = System.nanoTime()
                once(warmup + i)
                wall[i] = (System.nanoTime() - t) / 1000.0
                cpu[i] = (threads.currentThreadCpuTime - c) / 1000.0
            }
            wall.sort()
            cpu.sort()
            val w = String.format(java.util.Locale.ROOT, "%.1f", wall[n / 2])
            val c = String.format(java.util.Locale.ROOT, "%.1f", cpu[n / 2])
            println("kotlin: encrypt (10 options, up to 3) median $w µs wall, $c µs thread CPU over $n (sink $sink)")
            File(out).writeText("$w $c\n")
        }
    }
}
