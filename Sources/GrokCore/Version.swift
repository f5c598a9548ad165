/// The package version written into every run's config.json.
public enum GrokLabVersion {
    public static let string = "0.1.0"
}
