import { mount } from 'svelte';
import { connect } from './api-client.js';
import Startup from './components/Startup.svelte';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
// The app once the back end has its database open (an older one is upgraded first: see Startup).
mount(Startup, { target, props: { api: connect() } });
