package vote.ostracon

// The example of bindings/ffi/README.md, which shows the lines between the markers;
// scripts/test-kotlin checks that the two agree, and ExampleTest runs it.
// example:start
fun boothExample(electionJson: String, voterSeed: ByteArray) {
    Election.fromJson(electionJson).use { election ->
        // The voter's choices: per contest id, one value per option (manifest order).
        val choices = """{"chair":[0,1,0,0],"board":[1,0,0,1,0,0,0,1,0,0],"motion":[1,0,0]}"""
        election.checkSelection(choices) // throws OstraconException.InvalidSelection

        // Encrypt and show the tracking code. This one the voter challenges (audits)...
        election.encryptBallot("ballot-1", choices, null).use { ballot ->
            println("tracking code: ${ballot.trackingCode()}")
            val opening = ballot.challenge() // reveals the secret; cast() now refuses
            val check = election.verifyOpening(ballot.toBytes(), opening) // any device
            println("ballot ${check.trackingCode} holds ${check.choices}")
        }
        // ...then encrypts again and casts, signing as a registered voter.
        election.encryptBallot("ballot-2", choices, null).use { ballot ->
            val submission = VoterKey.fromSeed(voterSeed).use { key -> ballot.cast("voter-7", key) }
            // Send submission.ballot, .voter and .signature to the ballot box, which runs:
            val valid = election.validateBallot(submission.ballot)
            println("cast ${valid.ballotId} with code ${valid.trackingCode}")
        }
    } // use {} releases the Rust objects: the openings and the key are wiped
}
// example:end
