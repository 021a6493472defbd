// examples/authenticate.ts: a broker that accepts only known user names and passwords, through the
// `authenticate` hook (BrokerHooks in src/broker/hooks.ts), tried with a right and a wrong password.
//   node_modules/.bin/bun run examples/authenticate.ts
//   node_modules/.bin/deno run -A examples/authenticate.ts
import { Broker, type ConnectInfo, ReasonCode } from "vireo";
import mqtt from "mqtt";

const users = new Map([["sensor-1", "s3cret"]]); // user name → password (keep hashes in real life)

const broker = new Broker({
  host: "127.0.0.1",
  port: 0,
  hooks: {
    // Every CONNECT, before its CONNACK (synchronous): 0 accepts, a v5 reason code refuses; an MQTT
    // 3.1.x client gets the matching CONNACK return code (here 4, bad user name or password).
    authenticate({ username, password }: ConnectInfo): number {
      if (username === undefined || password === undefined) return ReasonCode.NotAuthorized;
      const ok = users.get(username) === new TextDecoder().decode(password);
      return ok ? ReasonCode.Success : ReasonCode.BadUserNameOrPassword;
    },
    onConnect: (info) => console.log(`connected: ${info.username} from ${info.remoteAddress}`),
  },
});
const { port } = await broker.listen();

for (const password of ["s3cret", "wrong"]) {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    username: "sensor-1", password, protocolVersion: 5, reconnectPeriod: 0,
  });
  const result = await new Promise<string>((resolve) => {
    client.once("connect", () => resolve("accepted"));
    client.once("error", (err) => resolve(`refused (${err.message})`));
  });
  console.log(`password "${password}": ${result}`);
  client.end(true);
}
await broker.close();
