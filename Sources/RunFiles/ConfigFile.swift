import Foundation
import GrokCore
import Tensors

/// config.json: a run's settings (snake_case keys) plus the facts of the run ("data_checksum",
/// "started", a "diagnostics" object, ...). Typed settings are read and written through
/// Codable; readers that show or pick single keys use the parsed object.
public enum ConfigFile {
    /// The parsed object, keys in file order. Throws when the file is missing or not a JSON object.
    public static func read(_ url: URL) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw GrokError("cannot read \(url.path)")
        }
        let value = try JSONValue.parse(data, context: url.lastPathComponent)
        guard value.members != nil else { throw GrokError("\(url.lastPathComponent) is not a JSON object") }
        return value
    }

    /// Decodes the whole file (or its member `key`) as `T`, snake_case keys to camelCase
    /// properties. `key` is the member's name as in the file ("norm_control"). A missing `key` is nil.
    public static func decode<T: Decodable>(_ type: T.Type, from url: URL, key: String? = nil) throws -> T? {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw GrokError("cannot read \(url.path)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let key else { return try decoder.decode(T.self, from: data) }
        // The decoder converts the file's snake_case keys before lookup: ask for the converted form.
        let parts = key.split(separator: "_", omittingEmptySubsequences: false)
        decoder.userInfo[Member<T>.keyInfo] = ([String(parts.first ?? "")] + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }).joined()
        return try decoder.decode(Member<T>.self, from: data).value
    }

    /// Writes `settings` (snake_case keys) with the members of `extra` added, sorted keys,
    /// atomically. `extra` values are JSONSerialization's (String, NSNumber, arrays, dictionaries).
    public static func write<T: Encodable>(_ settings: T, extra: [String: Any], to url: URL) throws {
        try AtomicFile.write(data(settings, extra: extra), to: url)
    }

    /// The file's bytes for `settings` and `extra` (sorted keys, so equal settings give equal
    /// bytes; grok-train --check prints them).
    public static func data<T: Encodable>(_ settings: T, extra: [String: Any]) throws -> Data {
        var dict = try object(settings)
        for (k, v) in extra { dict[k] = v }
        let data = try JSONSerialization.data(withJSONObject: dict, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return data + Data("\n".utf8)
    }

    /// `settings` as a JSON object for `extra` (snake_case keys), e.g. the "diagnostics" member.
    public static func jsonObject<T: Encodable>(_ settings: T) -> [String: Any] {
        (try? object(settings)) ?? [:]
    }

    static func object<T: Encodable>(_ settings: T) throws -> [String: Any] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let object = try JSONSerialization.jsonObject(with: encoder.encode(settings)) as? [String: Any] else {
            throw GrokError("the settings are not a JSON object")
        }
        return object
    }

    /// Decodes one member of the top-level object, named in the decoder's userInfo.
    struct Member<T: Decodable>: Decodable {
        static var keyInfo: CodingUserInfoKey { CodingUserInfoKey(rawValue: "groklab.member")! }
        let value: T?

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: Decoder) throws {
            let key = Key(stringValue: decoder.userInfo[Self.keyInfo] as? String ?? "")
            value = try decoder.container(keyedBy: Key.self).decodeIfPresent(T.self, forKey: key)
        }
    }
}
