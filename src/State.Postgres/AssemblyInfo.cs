namespace Switchyard.State.Postgres;
