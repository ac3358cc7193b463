import TaskStore
import Workers

/// The shared endpoint health lives in PostgreSQL: the task store's statements are the port.
extension EndpointHealthRecords: EndpointHealthStore {}
