namespace Switchyard.State;

/// <summary>
/// A write collided with an existing record (a duplicate slug, name or key). Both stores throw this instead of their
/// driver's own exception, so the admin API answers 409 the same way on either.
/// </summary>
public sealed class StateConflictException(string message, Exception? innerException = null) : Exception(message, innerException);
