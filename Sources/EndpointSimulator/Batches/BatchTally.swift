/// What the Batch API did, for `/sim/stats`: a test checks with it that no request was run
/// twice (`requests_executed` equals the lines written to output and error files for
/// answered and failed requests).
struct BatchTally: Sendable, Hashable {
    var filesUploaded = 0
    var batchesCreated = 0
    var batchesCancelled = 0
    var batchesExpired = 0
    var batchesCompleted = 0
    var batchesFailed = 0
    var requestsAnswered = 0
    var requestsFailed = 0
    var requestsExpired = 0
    var requestsCancelled = 0

    var json: String {
        "{\"files_uploaded\":\(filesUploaded),\"batches_created\":\(batchesCreated),\"batches_completed\":\(batchesCompleted),"
            + "\"batches_expired\":\(batchesExpired),\"batches_cancelled\":\(batchesCancelled),\"batches_failed\":\(batchesFailed),"
            + "\"requests_executed\":\(requestsAnswered + requestsFailed),\"requests_answered\":\(requestsAnswered),"
            + "\"requests_failed\":\(requestsFailed),\"requests_expired\":\(requestsExpired),\"requests_cancelled\":\(requestsCancelled)}"
    }
}
