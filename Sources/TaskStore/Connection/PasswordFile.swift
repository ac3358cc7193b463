/// libpq's password file: lines `hostname:port:database:username:password`, `*` matching
/// anything, `\` escaping `:` and `\`, `#` starting a comment; the first matching line wins.
struct PasswordFile {
    let entries: [[String]]

    init(text: String) {
        entries = text.split(whereSeparator: \.isNewline).compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            var fields: [String] = [], current = "", escaped = false
            for character in line {
                if escaped {
                    current.append(character); escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == ":" && fields.count < 4 {
                    fields.append(current); current = ""
                } else {
                    current.append(character)
                }
            }
            fields.append(current)
            return fields.count == 5 ? fields : nil
        }
    }

    func password(host: String, port: Int, database: String, user: String) -> String? {
        // libpq matches a socket directory against "localhost" as well as its own path.
        let hosts = host.hasPrefix("/") ? [host, "localhost"] : [host]
        let wanted = [String(port), database, user]
        return entries.first { entry in
            (entry[0] == "*" || hosts.contains(entry[0])) && zip(entry[1...3], wanted).allSatisfy { $0 == "*" || $0 == $1 }
        }?[4]
    }
}
