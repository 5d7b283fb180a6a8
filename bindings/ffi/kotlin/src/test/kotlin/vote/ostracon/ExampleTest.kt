package vote.ostracon

import kotlin.test.Test

class ExampleTest {
    @Test
    fun `the README example runs`() {
        boothExample(Fixtures.electionJson, Fixtures.voter.second)
    }
}
