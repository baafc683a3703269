// For admins: the people who use the console (add, change role, disable) and the wellness limits within
// which everyone chooses their own settings.
import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { api, messageOf } from './api';
import type { Role, UserJson, WellnessLimits } from './api';
import { useConsole, useTitle } from './context';
import { dateTime } from './format';

const roles: Role[] = ['analyst', 'supervisor', 'admin'];

export function AdminUsersPage() {
  useTitle('People');
  const { session, announce } = useConsole();
  const [users, setUsers] = useState<UserJson[]>();
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    try {
      setUsers(await api.users());
    } catch (failed) {
      setError(messageOf(failed));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  if (session.user.role !== 'admin') {
    return (
      <section aria-labelledby="people-title">
        <h1 id="people-title">People</h1>
        <p>Only admins manage people.</p>
      </section>
    );
  }

  const change = async (user: UserJson, changes: { role?: Role; disabled?: boolean }) => {
    try {
      await api.updateUser(user.id, changes);
      announce(
        changes.disabled === undefined
          ? `${user.username} is now ${changes.role ?? user.role}.`
          : `${user.username} is ${changes.disabled ? 'disabled; their sessions have ended' : 'enabled'}.`,
      );
      await load();
    } catch (failed) {
      announce(messageOf(failed), 'error');
    }
  };

  return (
    <section aria-labelledby="people-title">
      <h1 id="people-title">People</h1>
      {error !== undefined && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {users !== undefined && (
        <table className="details">
          <caption>{users.length} people can sign in to the console</caption>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Since</th>
              <th scope="col">Access</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id} className={user.disabled ? 'disabled' : undefined}>
                <td>{user.username}</td>
                <td>{user.display_name}</td>
                <td>
                  <label className="visually-hidden" htmlFor={`role-${user.id}`}>
                    Role of {user.username}
                  </label>
                  <select
                    id={`role-${user.id}`}
                    value={user.role}
                    disabled={user.id === session.user.id}
                    onChange={(event) => void change(user, { role: event.target.value as Role })}
                  >
                    {roles.map((role) => (
                      <option key={role} value={role}>
                        {role}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{dateTime(user.created_at)}</td>
                <td>
                  {user.id === session.user.id ? (
                    'you'
                  ) : (
                    <button type="button" onClick={() => void change(user, { disabled: !user.disabled })}>
                      {user.disabled ? `Enable ${user.username}` : `Disable ${user.username}`}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewUserForm onCreated={() => void load()} />
      <LimitsForm />
    </section>
  );
}

function NewUserForm({ onCreated }: { onCreated: () => void }) {
  const { announce } = useConsole();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const [password, setPassword] = useState('');

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    try {
      const user = await api.createUser({
        username: username.trim(),
        password,
        role,
        ...(displayName.trim() === '' ? {} : { display_name: displayName.trim() }),
      });
      announce(`${user.username} can now sign in as ${user.role}. Give them the password in person.`);
      setUsername('');
      setDisplayName('');
      setPassword('');
      onCreated();
    } catch (failed) {
      announce(messageOf(failed), 'error');
    }
  };

  return (
    <section aria-labelledby="new-user-title">
      <h2 id="new-user-title">Add a person</h2>
      <form onSubmit={(event) => void create(event)} className="field-row">
        <div className="field">
          <label htmlFor="new-username">Username</label>
          <input
            id="new-username"
            required
            maxLength={40}
            autoComplete="off"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="new-name">Name (optional)</label>
          <input
            id="new-name"
            maxLength={100}
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="new-role">Role</label>
          <select id="new-role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
            {roles.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="new-password">First password (12 characters or more)</label>
          <input
            id="new-password"
            type="password"
            required
            minLength={12}
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <div className="field">
          <button type="submit" className="primary">
            Add
          </button>
        </div>
      </form>
    </section>
  );
}

function LimitsForm() {
  const { announce } = useConsole();
  const [limits, setLimits] = useState<WellnessLimits>();

  useEffect(() => {
    api.wellnessLimits().then(setLimits, (failed: unknown) => announce(messageOf(failed), 'error'));
  }, [announce]);

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (limits === undefined) return;
    try {
      setLimits(await api.setWellnessLimits(limits));
      announce('The wellness limits are saved; everyone’s settings now stay within them.');
    } catch (failed) {
      announce(messageOf(failed), 'error');
    }
  };

  if (limits === undefined) return null;
  return (
    <section aria-labelledby="limits-title">
      <h2 id="limits-title">Wellness limits</h2>
      <form onSubmit={(event) => void save(event)}>
        <div className="choice">
          <input
            id="limit-unblurred"
            type="checkbox"
            checked={limits.allow_unblurred}
            onChange={(event) => setLimits({ ...limits, allow_unblurred: event.target.checked })}
          />
          <label htmlFor="limit-unblurred">People may turn blurring off for themselves</label>
        </div>
        <div className="choice">
          <input
            id="limit-colour"
            type="checkbox"
            checked={limits.allow_colour}
            onChange={(event) => setLimits({ ...limits, allow_colour: event.target.checked })}
          />
          <label htmlFor="limit-colour">People may see revealed media in colour</label>
        </div>
        <div className="field">
          <label htmlFor="limit-warning">Highest daily exposure warning level a person may choose</label>
          <input
            id="limit-warning"
            type="number"
            min={1}
            required
            value={limits.max_exposure_warning}
            onChange={(event) => setLimits({ ...limits, max_exposure_warning: Number(event.target.value) })}
          />
        </div>
        <button type="submit" className="primary">
          Save limits
        </button>
      </form>
    </section>
  );
}
