/// A file held in memory: an uploaded batch input (with its requests already read) or a
/// batch's output or error file.
struct StoredFile: Sendable {
    var id: String
    var filename: String
    /// "batch" for uploads, "batch_output" for what batches write, as OpenAI names them.
    var purpose: String
    var createdAt: Int
    var bytes: [UInt8]
    /// The requests of an input file; empty for output files.
    var requests: [BatchRequestLine]

    /// OpenAI's file object.
    var json: String {
        var json = JSONText()
        json.raw("{\"id\":")
        json.string(id)
        json.raw(",\"object\":\"file\",\"bytes\":\(bytes.count),\"created_at\":\(createdAt),\"filename\":")
        json.string(filename)
        json.raw(",\"purpose\":")
        json.string(purpose)
        json.raw("}")
        return json.text
    }

    /// OpenAI's answer to `DELETE /v1/files/{id}`.
    static func deletedJSON(id: String) -> String {
        "{\"id\":\(JSONText.quoted(id)),\"object\":\"file\",\"deleted\":true}"
    }
}
