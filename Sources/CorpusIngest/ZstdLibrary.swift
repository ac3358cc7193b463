import Foundation
internal import CZstdABI

/// libzstd's streaming decoder, found with dlopen at first use: building needs no zstd.h and
/// no -dev package, and a machine without the library still reads every other corpus.
struct ZstdLibrary: @unchecked Sendable {
    typealias CreateDStream = @convention(c) () -> OpaquePointer?
    typealias InitDStream = @convention(c) (OpaquePointer?) -> Int
    typealias DecompressStream =
        @convention(c) (
            OpaquePointer?, UnsafeMutablePointer<ZSTD_outBuffer>?,
            UnsafeMutablePointer<ZSTD_inBuffer>?
        ) -> Int
    typealias IsError = @convention(c) (Int) -> UInt32
    typealias GetErrorName = @convention(c) (Int) -> UnsafePointer<CChar>?
    typealias FreeDStream = @convention(c) (OpaquePointer?) -> Int

    let createDStream: CreateDStream
    let initDStream: InitDStream
    let decompressStream: DecompressStream
    let isError: IsError
    let getErrorName: GetErrorName
    let freeDStream: FreeDStream

    #if os(macOS)
        static let candidates = ["libzstd.1.dylib", "/opt/homebrew/lib/libzstd.1.dylib", "/usr/local/lib/libzstd.1.dylib"]
    #else
        static let candidates = ["libzstd.so.1"]
    #endif

    /// Loaded once per process; nil when the library is not on this machine.
    static let shared: ZstdLibrary? = load(candidates)

    /// The first of `names` that loads and has every function; the handle is never closed.
    static func load(_ names: [String]) -> ZstdLibrary? {
        for name in names {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
            if let library = ZstdLibrary(handle: handle) { return library }
            dlclose(handle)
        }
        return nil
    }

    private init?(handle: UnsafeMutableRawPointer) {
        func symbol<Function>(_ name: String, as type: Function.Type) -> Function? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
        guard let createDStream = symbol("ZSTD_createDStream", as: CreateDStream.self),
            let initDStream = symbol("ZSTD_initDStream", as: InitDStream.self),
            let decompressStream = symbol("ZSTD_decompressStream", as: DecompressStream.self),
            let isError = symbol("ZSTD_isError", as: IsError.self),
            let getErrorName = symbol("ZSTD_getErrorName", as: GetErrorName.self),
            let freeDStream = symbol("ZSTD_freeDStream", as: FreeDStream.self)
        else { return nil }
        (self.createDStream, self.initDStream, self.decompressStream) = (createDStream, initDStream, decompressStream)
        (self.isError, self.getErrorName, self.freeDStream) = (isError, getErrorName, freeDStream)
    }

    func errorName(_ code: Int) -> String {
        getErrorName(code).map { String(cString: $0) } ?? "zstd error \(code)"
    }
}
