namespace Switchyard.State.Embedded;
